// build/imgflo-url against a real server with an app (IMGFLO_API_KEY/SECRET):
// for 20 random parameter sets (seeded; values with spaces, unicode, & = + %
// # / ? and quotes) the printed URL is accepted (never 403) and its query is
// encoded exactly as Node's encodeURIComponent encodes the same names and
// values (node is run to compute them: the test fails without node).
// Also: --open, usage errors.
#include "support/http_client.h"
#include "support/paths.h"
#include "support/server_process.h"
#include "support/test_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace imgflo::test {
namespace {

// stdout only; stderr goes to the test's log.
using UrlToolRun = CommandRun;

UrlToolRun imgflo_url(const std::vector<std::string>& args) {
  std::string cmd = shell_quote((binary_dir() / "imgflo-url").string());
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_command("env -u IMGFLO_API_KEY -u IMGFLO_API_SECRET -u IMGFLO_SERVER " + cmd);
}

std::string chomp(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// encodeURIComponent of each string, computed by node.
std::vector<std::string> node_encode(const std::vector<std::string>& texts) {
  const std::string script = "const a = JSON.parse(process.argv[1]); process.stdout.write(JSON.stringify(a.map(encodeURIComponent)))";
  const UrlToolRun r = run_command("node -e " + shell_quote(script) + " " + shell_quote(nlohmann::json(texts).dump()));
  EXPECT_EQ(r.status, 0) << "node is needed to compute encodeURIComponent (Debian package nodejs)";
  if (r.status != 0) return {};
  return nlohmann::json::parse(r.out).get<std::vector<std::string>>();
}

using Params = std::vector<std::pair<std::string, std::string>>;

// A value of 0..12 pieces, among them every character that needs encoding.
std::string odd_value(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "a", "Z", "0", "9", " ", "&", "=", "+", "%", "#", "/", "?", "\"", "'", "\xC3\xA9", "\xE6\x97\xA5",
      "\xF0\x9F\x98\x80", "~", "*", "(", ")", ":", "@", ",", ";", "!", "-", "_", ".", "%20", "<", "\\"};
  std::string v;
  const int n = std::uniform_int_distribution<int>(0, 12)(rng);
  for (int i = 0; i < n; ++i) v += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(rng)];
  return v;
}

// Set i: every fifth one valid (301 expected), the others with odd values and names.
Params parameter_set(int i, std::mt19937& rng) {
  Params p = {{"input", "files/gridbear.jpg"}};
  if (i % 5 == 0) {
    p.emplace_back("width", std::to_string(std::uniform_int_distribution<int>(8, 48)(rng)));
    p.emplace_back("color1", "#" + std::to_string(std::uniform_int_distribution<int>(100000, 999999)(rng)));
    return p;
  }
  static const std::vector<std::string> names = {"color1", "stop1", "color2", "srgb", "fit", "odd name&?#", "label"};
  const int n = std::uniform_int_distribution<int>(1, 4)(rng);
  for (int k = 0; k < n; ++k) {
    p.emplace_back(names[std::uniform_int_distribution<size_t>(0, names.size() - 1)(rng)], odd_value(rng));
  }
  return p;
}

// "?" + the parameters sorted by name (stable), each encoded by `encoded`.
std::string expected_query(const Params& params, const std::vector<std::string>& encoded_names,
                           const std::vector<std::string>& encoded_values) {
  std::vector<size_t> order(params.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return params[a].first < params[b].first; });
  std::string q;
  for (size_t i : order) q += (q.empty() ? "?" : "&") + encoded_names[i] + "=" + encoded_values[i];
  return q;
}

class ImgfloUrlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess("imgflo-url", {{"IMGFLO_API_KEY", "urlkey"}, {"IMGFLO_API_SECRET", "url secret"}});
  }
  static void TearDownTestSuite() { delete server_; }
  static std::string base() { return server_->url(""); }
  static ServerProcess* server_;
};
ServerProcess* ImgfloUrlTest::server_ = nullptr;

TEST_F(ImgfloUrlTest, TwentyRandomParameterSetsAreAcceptedAndEncodedLikeNode) {
  std::mt19937 rng(15);
  int redirects = 0;
  for (int i = 0; i < 20; ++i) {
    const Params params = parameter_set(i, rng);
    const std::string ext = std::vector<std::string>{"", ".png", ".jpg"}[i % 3];
    std::vector<std::string> args = {"--server", base(), "--key", "urlkey", "--secret", "url secret"};
    if (i % 2) args.push_back("--hmac");
    args.push_back("gradientmap" + ext);
    std::vector<std::string> names, values;
    for (const auto& [name, value] : params) {
      args.push_back(name + "=" + value);
      names.push_back(name);
      values.push_back(value);
    }
    SCOPED_TRACE("set " + std::to_string(i));
    const UrlToolRun run = imgflo_url(args);
    ASSERT_EQ(run.status, 0);
    const std::string url = chomp(run.out);
    const std::string prefix = base() + "/graph/urlkey/";
    ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
    const size_t q = url.find('?');
    ASSERT_NE(q, std::string::npos) << url;
    const std::string token = url.substr(prefix.size(), url.find('/', prefix.size()) - prefix.size());
    EXPECT_EQ(token.size(), i % 2 ? 64u : 32u) << url;
    EXPECT_EQ(url.substr(q - ext.size() - 11, 11 + ext.size()), "gradientmap" + ext) << url;
    std::vector<std::string> texts = names;
    texts.insert(texts.end(), values.begin(), values.end());
    const auto encoded = node_encode(texts);
    ASSERT_EQ(encoded.size(), texts.size());
    const std::vector<std::string> encoded_names(encoded.begin(), encoded.begin() + names.size());
    const std::vector<std::string> encoded_values(encoded.begin() + names.size(), encoded.end());
    EXPECT_EQ(url.substr(q), expected_query(params, encoded_names, encoded_values));

    const HttpResult answer = http_get(url);
    EXPECT_NE(answer.status, 403) << url << " " << answer.body;
    EXPECT_NE(answer.status, 0) << answer.error;
    if (i % 5 == 0) {
      EXPECT_EQ(answer.status, 301) << url << " " << answer.body;
    }
    redirects += answer.status == 301;
  }
  EXPECT_GE(redirects, 4);
}

TEST_F(ImgfloUrlTest, ExpiresIsSignedAndInTheQuery) {
  const UrlToolRun run = imgflo_url({"--server", base(), "--key", "urlkey", "--secret", "url secret", "--expires",
                                     "@4102444800", "gradientmap.png", "input=files/gridbear.jpg", "width=20"});
  ASSERT_EQ(run.status, 0);
  const std::string url = chomp(run.out);
  EXPECT_NE(url.find("?_expires=4102444800&input=files%2Fgridbear.jpg&width=20"), std::string::npos) << url;
  EXPECT_NE(http_get(url).status, 403) << url;
  EXPECT_EQ(imgflo_url({"--expires", "soon", "crop"}).status, 2);
}

TEST_F(ImgfloUrlTest, OpenPrintsTheLocationOrTheJsonError) {
  const std::vector<std::string> creds = {"--server", base(), "--key", "urlkey", "--secret", "url secret", "--open"};
  auto args = creds;
  for (const char* a : {"gradientmap.png", "input=files/gridbear.jpg", "width=16"}) args.push_back(a);
  UrlToolRun run = imgflo_url(args);
  ASSERT_EQ(run.status, 0) << run.out;
  const std::string location = chomp(run.out);
  EXPECT_NE(location.find("/cache/"), std::string::npos) << location;
  EXPECT_EQ(http_get(location).status, 200) << location;

  args = creds;
  for (const char* a : {"gradientmap.png", "input=files/gridbear.jpg", "stop1=abc"}) args.push_back(a);
  run = imgflo_url(args);
  EXPECT_EQ(run.status, 1);
  const auto error = nlohmann::json::parse(run.out);
  EXPECT_EQ(error["code"], 400);
  EXPECT_EQ(error["parameter"], "stop1");

  args = {"--server", base(), "--key", "urlkey", "--secret", "wrong", "--open", "gradientmap", "input=files/x.jpg"};
  run = imgflo_url(args);
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(nlohmann::json::parse(run.out)["code"], 403);
}

TEST(ImgfloUrlUsage, BadUsageExitsTwoAndHelpZero) {
  EXPECT_EQ(imgflo_url({}).status, 2);
  EXPECT_EQ(imgflo_url({"--key", "k", "crop"}).status, 2);           // a key without a secret
  EXPECT_EQ(imgflo_url({"crop", "novalue"}).status, 2);              // not name=value
  EXPECT_EQ(imgflo_url({"crop/../x"}).status, 2);                    // not a graph spec
  EXPECT_EQ(imgflo_url({"--hmac", "crop"}).status, 2);               // --hmac without credentials
  EXPECT_EQ(imgflo_url({"--bogus", "crop"}).status, 2);
  const UrlToolRun help = imgflo_url({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("usage: imgflo-url"), std::string::npos);
  const UrlToolRun plain = imgflo_url({"--server", "http://h:1/", "crop.png", "x=a b"});
  EXPECT_EQ(chomp(plain.out), "http://h:1/graph/crop.png?x=a%20b");
}

}  // namespace
}  // namespace imgflo::test
