// Both graph parsers on valid and malformed input.
#include "graph/graph.h"

#include <gtest/gtest.h>

namespace imgflo::graph {
namespace {

TEST(FbpDsl, ParsesExportsChainsAndIips) {
  const char* text = R"(# a comment
INPORT=crop.INPUT:INPUT
INPORT=crop.HEIGHT:CropHeight
OUTPORT=out.OUTPUT:OUTPUT
'42' -> X crop(gegl/crop)
crop OUTPUT -> INPUT mid(gegl/nop) OUTPUT -> INPUT out(gegl/nop)
)";
  auto g = parse_fbp_graph(text, "t.fbp");
  ASSERT_TRUE(g.ok()) << g.error().message();
  EXPECT_EQ(g->runtime, "imgflo");
  ASSERT_EQ(g->processes.size(), 3u);
  EXPECT_EQ(g->find_process("crop")->component, "gegl/crop");
  ASSERT_EQ(g->inports.size(), 2u);
  EXPECT_EQ(g->inports[1].name, "cropheight");  // exported names are lower-cased
  EXPECT_EQ(g->inports[1].target, (Endpoint{"crop", "height"}));
  ASSERT_EQ(g->connections.size(), 3u);
  EXPECT_TRUE(g->connections[0].is_iip());
  EXPECT_EQ(g->connections[0].data, "42");
  EXPECT_EQ(g->connections[0].tgt, (Endpoint{"crop", "x"}));
  EXPECT_EQ(*g->connections[1].src, (Endpoint{"crop", "output"}));
  EXPECT_EQ(g->connections[2].tgt, (Endpoint{"out", "input"}));
}

TEST(FbpDsl, IipWithEscapedQuoteAndComma) {
  auto g = parse_fbp_graph("'it\\'s' -> IN a(x/y), 'b' -> IN2 a", "t.fbp");
  ASSERT_TRUE(g.ok()) << g.error().message();
  ASSERT_EQ(g->connections.size(), 2u);
  EXPECT_EQ(g->connections[0].data, "it's");
  EXPECT_EQ(g->connections[1].tgt.port, "in2");
}

TEST(FbpDsl, MalformedReportsFileLineColumn) {
  auto g = parse_fbp_graph("INPORT=a.B:C\na(x/y) OUT -> \n", "bad.fbp");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().kind(), ErrorKind::kGraphInvalid);
  EXPECT_NE(g.error().message().find("bad.fbp:2:"), std::string::npos) << g.error().message();
}

TEST(FbpDsl, UnterminatedIip) {
  auto g = parse_fbp_graph("\n  'abc -> IN a(x/y)", "u.fbp");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message().find("u.fbp:2:3: unterminated"), std::string::npos) << g.error().message();
}

TEST(FbpDsl, ConflictingComponents) {
  auto g = parse_fbp_graph("a(x/y) OUT -> IN b(x/z)\nb(x/w) OUT -> IN c(x/y)", "c.fbp");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message().find("c.fbp:2:1"), std::string::npos) << g.error().message();
}

TEST(FbpDsl, UnexpectedCharacter) {
  auto g = parse_fbp_graph("a(x/y) OUT -> IN b(x/y) ; c", "x.fbp");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message().find("x.fbp:1:25: unexpected character ';'"), std::string::npos)
      << g.error().message();
}

TEST(FbpJson, ParsesProcessesConnectionsAndPorts) {
  const char* text = R"({
    "properties": {"name": "t", "environment": {"type": "noop"}},
    "inports": {"input": {"process": "a", "port": "input", "metadata": {"x": 1}}},
    "outports": {"output": {"process": "b", "port": "output"}},
    "processes": {"a": {"component": "gegl/nop"}, "b": {"component": "gegl/crop", "metadata": {"label": "B"}}},
    "connections": [
      {"src": {"process": "a", "port": "output"}, "tgt": {"process": "b", "port": "input"}},
      {"data": 12.5, "tgt": {"process": "b", "port": "width"}},
      {"data": true, "tgt": {"process": "b", "port": "x"}}
    ]})";
  auto g = parse_json_graph(text, "t.json");
  ASSERT_TRUE(g.ok()) << g.error().message();
  EXPECT_EQ(g->runtime, "noop");
  ASSERT_EQ(g->processes.size(), 2u);
  EXPECT_EQ(g->processes[1].metadata["label"], "B");
  ASSERT_EQ(g->connections.size(), 3u);
  EXPECT_FALSE(g->connections[0].is_iip());
  EXPECT_EQ(g->connections[1].data, 12.5);
  EXPECT_EQ(g->connections[2].data, true);
  EXPECT_EQ(g->inports[0].metadata["x"], 1);
  // Round trip through to_json keeps the content.
  auto again = parse_json_graph(to_json(*g).dump(), "again.json");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->connections.size(), 3u);
}

TEST(FbpJson, DefaultRuntimeIsImgflo) {
  auto g = parse_json_graph(R"({"processes": {}})", "t.json");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->runtime, "imgflo");
}

TEST(FbpJson, SyntaxErrorReportsLineAndColumn) {
  auto g = parse_json_graph("{\n  \"processes\": {\n    \"a\": {\"component\": }\n}", "broken.json");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message().find("broken.json:3:"), std::string::npos) << g.error().message();
}

TEST(FbpJson, StructuralErrorsNameTheMember) {
  auto g = parse_json_graph("{\n\"processes\": {\n  \"a\": {\"metadata\": {}}}}", "s.json");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message().find("s.json:3:3: process \"a\" has no component"), std::string::npos)
      << g.error().message();
  auto c = parse_json_graph(R"({"connections": [{"tgt": {"process": "a"}}]})", "c.json");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("connection 0 tgt needs"), std::string::npos) << c.error().message();
  auto d = parse_json_graph(R"({"connections": [{"data": [1], "tgt": {"process": "a", "port": "b"}}]})", "d.json");
  ASSERT_FALSE(d.ok());
}

TEST(GraphFile, MissingFileIsNotFound) {
  auto g = load_graph_file("/nonexistent/graph.json");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace imgflo::graph
