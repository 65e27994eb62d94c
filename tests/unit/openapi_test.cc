// The OpenAPI document (http/openapi.h) against the catalogue it is made
// from: every graph and every parameter /graphs lists appears, with the same
// constraints. (tests/browser/openapi.mjs validates it with an OpenAPI
// validator and checks real answers against it.)
#include "app/runtimes.h"
#include "http/openapi.h"
#include "runtime/catalogue.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <set>

namespace imgflo::http {
namespace {

using ojson = nlohmann::ordered_json;

class OpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = runtime::Catalogue::load(test::graph_dir(), app::builtin_runtimes());
    ASSERT_TRUE(c.ok()) << c.error().message();
    catalogue_ = std::move(*c).release();
    doc_ = new ojson(openapi_document(*catalogue_));
  }
  static void TearDownTestSuite() {
    delete doc_;
    delete catalogue_;
  }
  const ojson& doc() const { return *doc_; }
  const ojson& listing() const { return catalogue_->listing()["graphs"]; }
  // The object a local "$ref" names.
  const ojson& resolve(const ojson& maybe_ref) const {
    if (!maybe_ref.contains("$ref")) return maybe_ref;
    const std::string ref = maybe_ref["$ref"];
    EXPECT_TRUE(ref.starts_with("#/")) << ref;
    return resolve(doc().at(ojson::json_pointer(ref.substr(1))));
  }
  // The query parameters of a path item, by name.
  std::map<std::string, ojson> query_parameters(const ojson& item) const {
    std::map<std::string, ojson> out;
    for (const auto& p : item["parameters"]) {
      const ojson& param = resolve(p);
      if (param["in"] == "query") out[param["name"]] = param;
    }
    return out;
  }

  static runtime::Catalogue* catalogue_;
  static ojson* doc_;
};
runtime::Catalogue* OpenApiTest::catalogue_ = nullptr;
ojson* OpenApiTest::doc_ = nullptr;

TEST_F(OpenApiTest, IsAnOpenApi31DocumentOfTheFixedRoutes) {
  EXPECT_EQ(doc()["openapi"], "3.1.0");
  EXPECT_FALSE(doc()["info"]["version"].get<std::string>().empty());
  for (const char* path : {"/", "/graphs", "/openapi.json", "/version", "/health", "/ready", "/metrics",
                           "/cache/{key}", "/files/{name}", "/files/", "/ui/{name}", "/ui/catalogue.json",
                           "/debug/graph/{path}", "/debug/params/graph/{path}", "/debug/job/{key}"}) {
    ASSERT_TRUE(doc()["paths"].contains(path)) << path;
    EXPECT_TRUE(doc()["paths"][path].contains("get")) << path;
    EXPECT_TRUE(doc()["paths"][path].contains("head")) << path;
  }
}

TEST_F(OpenApiTest, EveryGraphHasItsFourPathItems) {
  ASSERT_FALSE(listing().empty());
  for (const auto& [name, description] : listing().items()) {
    for (const std::string& path : std::vector<std::string>{"/graph/" + name, "/graph/{key}/{token}/" + name, "/graph/" + name + ".{ext}",
                                   "/graph/{key}/{token}/" + name + ".{ext}"}) {
      if (name == "noop" && path.ends_with("{ext}")) continue;  // noop names no output type
      ASSERT_TRUE(doc()["paths"].contains(path)) << path;
      for (const char* method : {"get", "head", "post", "options"}) {
        EXPECT_TRUE(doc()["paths"][path].contains(method)) << path << " " << method;
      }
    }
  }
}

TEST_F(OpenApiTest, EveryParameterHasTheCataloguesConstraints) {
  size_t checked = 0;
  for (const auto& [name, description] : listing().items()) {
    const auto params = query_parameters(doc()["paths"]["/graph/" + name]);
    const auto signed_params = query_parameters(doc()["paths"]["/graph/{key}/{token}/" + name]);
    for (const auto& [param, port] : description["inports"].items()) {
      SCOPED_TRACE(name + "." + param);
      ASSERT_TRUE(params.count(param));
      ASSERT_TRUE(signed_params.count(param));
      const ojson& meta = port["metadata"];
      const ojson& schema = params.at(param)["schema"];
      EXPECT_EQ(schema["x-imgflo-type"], meta["type"]);
      const std::string type = meta["type"];
      const std::string expected = type == "int"       ? "integer"
                                   : type == "number"  ? "number"
                                   : type == "boolean" ? "boolean"
                                                       : "string";
      EXPECT_EQ(schema["type"], expected);
      for (const char* key : {"description", "default", "minimum", "maximum"}) {
        EXPECT_EQ(schema.contains(key), meta.contains(key)) << key;
        if (meta.contains(key)) {
          EXPECT_EQ(schema[key], meta[key]) << key;
        }
      }
      EXPECT_EQ(schema.contains("enum"), meta.contains("values"));
      if (meta.contains("values")) {
        EXPECT_EQ(schema["enum"], meta["values"]);
      }
      // The graph's object schema points at the same schema.
      const ojson& property = doc()["components"]["schemas"][name + ".parameters"]["properties"][param];
      EXPECT_EQ(resolve(property), schema);
      ++checked;
    }
    // Beside the catalogue's: _nocache and _expires, and nothing else.
    EXPECT_EQ(params.size(), description["inports"].size() + 2);
    EXPECT_TRUE(params.count("_nocache"));
    EXPECT_TRUE(params.count("_expires"));
  }
  EXPECT_GT(checked, 100u);
}

TEST_F(OpenApiTest, UniversalParametersAreThere) {
  const auto params = query_parameters(doc()["paths"]["/graph/gradientmap"]);
  for (const char* universal : {"input", "width", "height", "fit", "gravity", "background", "dpr", "quality",
                                "lossless"}) {
    EXPECT_TRUE(params.count(universal)) << universal;
  }
  EXPECT_EQ(params.at("fit")["schema"]["enum"][0], "fill");
  EXPECT_EQ(params.at("width")["schema"]["maximum"], 2000);
  EXPECT_EQ(params.at("input")["schema"]["format"], "uri-reference");
}

TEST_F(OpenApiTest, ExtensionsAreTheGraphsOutputTypes) {
  const ojson& item = doc()["paths"]["/graph/gradientmap.{ext}"];
  const auto exe_types = (*catalogue_->find("gradientmap"))->executable->output_types();
  for (const auto& p : item["parameters"]) {
    const ojson& param = resolve(p);
    if (param["name"] != "ext") continue;
    EXPECT_EQ(param["in"], "path");
    EXPECT_EQ(param["schema"]["enum"].size(), exe_types.size());
    for (const auto& t : exe_types) {
      EXPECT_NE(std::find(param["schema"]["enum"].begin(), param["schema"]["enum"].end(), t),
                param["schema"]["enum"].end())
          << t;
    }
    return;
  }
  ADD_FAILURE() << "no ext parameter";
}

TEST_F(OpenApiTest, GraphOperationsAnswerEveryStatusWithTheErrorSchema) {
  const ojson& item = doc()["paths"]["/graph/{key}/{token}/gradientmap"];
  const std::set<std::string> get = {"301", "302", "400", "403", "404", "422", "429", "449", "500", "503", "504"};
  std::set<std::string> seen;
  for (const auto& [status, response] : item["get"]["responses"].items()) seen.insert(status);
  EXPECT_EQ(seen, get);
  EXPECT_TRUE(item["post"]["responses"].contains("202"));
  for (const char* status : {"400", "403", "404", "422", "429", "449", "500", "503", "504"}) {
    const ojson& r = resolve(item["get"]["responses"][status]);
    const ojson& schema = r["content"]["application/json"]["schema"];
    EXPECT_EQ(schema["allOf"][0]["$ref"], "#/components/schemas/Error") << status;
    EXPECT_EQ(schema["allOf"][1]["properties"]["code"]["const"], std::stoi(status)) << status;
  }
  EXPECT_TRUE(resolve(item["get"]["responses"]["503"])["headers"].contains("Retry-After"));
  EXPECT_TRUE(resolve(item["get"]["responses"]["429"])["headers"].contains("Retry-After"));
  const ojson& redirect = resolve(item["get"]["responses"]["301"]);
  for (const char* h : {"Location", "Cache-Control", "Vary"}) EXPECT_TRUE(redirect["headers"].contains(h)) << h;
}

TEST(OpenApiKeys, ComponentKeysKeepOnlyTheCharactersOpenApiAllows) {
  EXPECT_EQ(parameter_component("gradientmap", "color1"), "gradientmap.color1");
  EXPECT_EQ(parameter_component("a b", "x/y"), "a_20b.x_2Fy");
}

}  // namespace
}  // namespace imgflo::http
