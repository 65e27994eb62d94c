// The NoFlo-like components and the graph compiler of the canvas runtime:
// the delaunay_triangles pipeline step by step against the npm oracle, the
// arrayable expansion, and graph errors.
#include "canvas/component.h"
#include "canvas/program.h"
#include "graph/graph.h"
#include "support/canvas_oracle.h"

#include <gtest/gtest.h>

namespace imgflo::canvas {
namespace {

class ComponentTest : public testing::Test {
 protected:
  Value run(const std::string& component, const std::vector<std::pair<std::string, Value>>& inputs) {
    const ComponentSpec* spec = find_component(component);
    EXPECT_NE(spec, nullptr) << component;
    if (!spec) return Value();
    Ports ports;
    for (const auto& [k, v] : inputs) ports.set(k, v);
    auto out = spec->process(ports, ctx_);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message());
    return out.ok() ? *out : Value();
  }

  Surface surface_ = Surface::create(1, 1).value();
  Stop stop_;
  DrawContext ctx_{surface_, stop_};
};

// The graph's point and colour generation for seed "foobar" on 100 x 100,
// done by the components as delaunay_triangles.json wires them.
TEST_F(ComponentTest, DelaunayPipelineMatchesOracle) {
  const auto& expected = test::canvas_oracle().at("pipelines").at(0);
  ASSERT_EQ(expected.at("seed"), "foobar");
  const Value hash = run("md5/CalculateHash", {{"in", "foobar"}});
  auto substr = [&](int n) { return run("strings/SubStr", {{"in", hash}, {"index", 0}, {"limit", n}}); };
  auto random = [&](const Value& seed, double min, const Value& max, int count) {
    return run("seedrandom/RandomArray", {{"seed", seed}, {"min", min}, {"max", max}, {"count", count}});
  };
  const Value xmax = run("math/Add", {{"augend", 100}, {"addend", 200}});
  const Value xs = random(hash, -200, xmax, 50);
  const Value ys = random(substr(5), -200, xmax, 50);
  ASSERT_EQ(xs.size(), 50u);
  for (size_t i = 0; i < 50; ++i) {
    EXPECT_EQ(xs[i].get<double>(), expected.at("points")[i][0].get<double>()) << i;
    EXPECT_EQ(ys[i].get<double>(), expected.at("points")[i][1].get<double>()) << i;
  }
  const Value colors = run("canvas/MakeRGBColor", {{"red", random(substr(10), 0, 255, 10)},
                                                   {"green", random(substr(15), 0, 255, 10)},
                                                   {"blue", random(substr(20), 0, 255, 10)},
                                                   {"alpha", 0.9}});
  EXPECT_EQ(colors, expected.at("colors"));

  const Value points = run("canvas/MakePoint", {{"x", xs}, {"y", ys}});
  const Value paths = run("geometry/Delaunay", {{"points", points}});
  const auto& tris = test::canvas_oracle().at("triangulations").at(0);
  ASSERT_EQ(tris.at("name"), "foobar100");
  ASSERT_EQ(paths.size() * 3, tris.at("triangles").size());
  for (size_t t = 0; t < paths.size(); ++t) {
    for (size_t k = 0; k < 3; ++k) {
      const int idx = tris.at("triangles")[t * 3 + k];
      EXPECT_EQ(paths[t]["items"][k]["x"], expected.at("points")[idx][0]);
    }
  }
}

TEST_F(ComponentTest, RandomArrayOfOneIsANumberAndNeedsItsPorts) {
  EXPECT_TRUE(run("seedrandom/RandomArray", {{"seed", "s"}, {"min", 0}, {"max", 1}, {"count", 1}}).is_number());
  EXPECT_TRUE(run("seedrandom/RandomArray", {{"seed", "s"}, {"min", 0}, {"count", 3}}).is_null());
}

TEST_F(ComponentTest, ArrayableRepeatsShorterArrays) {
  const Value fills = run("canvas/Fill", {{"items", Value::array({1, 2, 3})}, {"fillstyle", Value::array({"a", "b"})}});
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_EQ(fills[2], (Value{{"type", "fill"}, {"items", 3}, {"fillstyle", "a"}}));
  EXPECT_TRUE(run("canvas/MakePoint", {{"x", 1}}).is_null());                      // missing y
  EXPECT_TRUE(run("canvas/MakePoint", {{"x", Value::array()}, {"y", 1}}).is_null());  // empty array
  EXPECT_EQ(run("canvas/MakeRGBColor", {{"red", 1.5}, {"green", 2.4}, {"blue", 255}}), "rgb(2, 2, 255)");
}

TEST_F(ComponentTest, ExtractPropertyAndSplit) {
  const Value canvas{{"type", "canvas"}, {"width", 600}, {"height", 400}};
  EXPECT_EQ(run("objects/ExtractProperty", {{"in", canvas}, {"key", "height"}}), 400);
  EXPECT_EQ(run("core/Split", {{"in", canvas}}), canvas);
}

Result<std::shared_ptr<const Program>> compile(const std::string& json) {
  auto g = graph::parse_json_graph(json, "test.json");
  if (!g.ok()) return g.take_error();
  return Program::compile(*g);
}

std::string graph_with(const std::string& inports, const std::string& processes, const std::string& connections) {
  return R"({"properties": {"environment": {"type": "noflo-nodejs"}}, "inports": {)" + inports +
         R"(}, "outports": {"output": {"process": "split", "port": "out"}}, "processes": {"split": {"component": "core/Split"})" +
         processes + R"(}, "connections": [)" + connections + "]}";
}

TEST(CanvasProgram, CompilesAMinimalGraph) {
  auto p = compile(graph_with(R"("canvas": {"process": "split", "port": "in"})", "", ""));
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_TRUE((*p)->parameters().empty());
}

TEST(CanvasProgram, RejectsBrokenGraphs) {
  const std::string canvas = R"("canvas": {"process": "split", "port": "in"})";
  const std::vector<std::pair<std::string, std::string>> broken = {
      {graph_with(canvas, R"(, "x": {"component": "canvas/Nope"})", ""), "unknown component"},
      {graph_with("", "", ""), "no exported \"canvas\""},
      {graph_with(canvas + R"(, "width": {"process": "split", "port": "in"})", "", ""), "provided by the runtime"},
      {graph_with(canvas, "", R"({"data": 1, "tgt": {"process": "split", "port": "nope"}})"), "does not have"},
      {graph_with(canvas, R"(, "b": {"component": "core/Split"})",
                  R"({"src": {"process": "split", "port": "out"}, "tgt": {"process": "b", "port": "in"}},
                     {"src": {"process": "b", "port": "out"}, "tgt": {"process": "split", "port": "in"}})"),
       "cycle"},
  };
  for (const auto& [json, message] : broken) {
    auto p = compile(json);
    ASSERT_FALSE(p.ok()) << message;
    EXPECT_EQ(p.error().kind(), ErrorKind::kGraphInvalid);
    EXPECT_NE(p.error().message().find(message), std::string::npos) << p.error().message();
  }
}

}  // namespace
}  // namespace imgflo::canvas
