// Hostile input over real HTTP (issue "Security hardening"): the vectors an
// attacker found on imgflo-server, each against a real process. Whatever is
// sent, the server stays up, answers within its deadline, and errors are JSON
// that discloses nothing about the inside.
//
//   1  non-UTF-8 bytes anywhere in a request           -> 4xx JSON, process alive
//   2  output sizes that slip past the 422 pre-check   -> 422/400 at once, memory bounded
//   3  out of file descriptors                          -> the accept loop does not spin
//   4  a second instance on the same port              -> it fails to start
//   5  instances sharing one cache folder              -> nobody deletes another's writes
//   6  broken operator graph files                      -> no crash at start-up
//   7  information disclosure                           -> generic messages, no Host in Location, nosniff
#include "core/digest.h"
#include "e2e/e2e_util.h"
#include "support/paths.h"
#include "support/proc_stats.h"
#include "support/raw_http.h"
#include "support/service_env.h"
#include "support/test_origin.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace imgflo::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Every server here runs with this request deadline; no answer may take longer.
constexpr int kRequestTimeoutSeconds = 5;
constexpr double kDeadline = kRequestTimeoutSeconds;
const std::vector<std::string> kDeadlineArgs = {"--request-timeout", std::to_string(kRequestTimeoutSeconds)};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// An HTTP request with a method, a timeout and headers (libcurl client).
HttpResult request(const std::string& url, std::chrono::milliseconds timeout, const std::string& method = "GET",
                   std::vector<std::string> headers = {}) {
  HttpOptions o;
  o.method = method;
  o.timeout = timeout;
  o.headers = std::move(headers);
  return http(url, o);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Bytes as gtest can print them (\xHH for everything outside printable ASCII).
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The JSON error object of an answer; a test failure (and null) when the body is not one.
nlohmann::json json_error(int status, const std::string& body, const std::string& content_type,
                          const std::string& what) {
  EXPECT_EQ(content_type, "application/json") << what;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);  // also proves the body is valid UTF-8
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": the body is not JSON (" << e.what() << "): " << printable(body);
    return nullptr;
  }
  EXPECT_TRUE(j.is_object() && j.contains("error") && j["error"].is_string()) << what << ": " << printable(body);
  if (j.is_object()) {
    EXPECT_EQ(j.value("code", 0), status) << what << ": " << printable(body);
  }
  return j;
}

// A complete 4xx answer with a JSON error body, within the deadline.
void expect_json_4xx(const RawResponse& r, const std::string& what) {
  ASSERT_TRUE(r.complete) << what << ": no complete answer (" << r.error << "), got: " << printable(r.raw);
  EXPECT_GE(r.status, 400) << what << ": " << printable(r.body);
  EXPECT_LT(r.status, 500) << what << ": " << printable(r.body);
  EXPECT_LT(r.seconds, kDeadline) << what;
  json_error(r.status, r.body, r.header("content-type"), what);
}

void expect_alive(ServerProcess& server, const std::string& when) {
  ASSERT_TRUE(server.running()) << "the server died " << when << "; log:\n" << printable(server.log());
  const HttpResult health = request(server.url("/health"), 3s);
  EXPECT_EQ(health.status, 200) << "no /health " << when << ": " << health.error;
}

// ---------------------------------------------------------------------------------------------
// 1. Non-UTF-8 bytes. nlohmann's dump() threw on an error text carrying them: one byte killed the
// process. Every position a byte can reach an error text, percent-encoded and raw.

// Invalid UTF-8: a stray byte, a lone continuation byte, an overlong '/', a UTF-16 surrogate.
const std::vector<std::string> kBadEncoded = {"%FF", "%ff", "%80", "%FE%FF", "%C0%AF", "%ED%A0%80"};
const std::vector<std::string> kBadRaw = {"\xFF", "\x80", "\xC0\xAF", "\xED\xA0\x80"};

// An invalid inner request of a graph/ input is reported like any input that cannot be had: a
// failed download (504, the original's contract), still a JSON answer.
const std::string kNestedTemplate = "/graph/passthrough?input=graph%2Fpassthrough%3Finput%3Dfiles%252F{B2}";
// Without auth the key and token of the signed form are not looked at: a valid request (301).
const std::string kSignedTemplate = "/graph/{B}/{B}/passthrough?input=files%2Fgridbear.jpg";

// Request targets with {B} where the bad bytes go ({B2}: the same, percent-encoded once more,
// inside a nested graph/ input; {PORT}: a loopback port). Each is a client error whatever the
// server does with the bytes, so the answer must be a 4xx — except where noted.
const std::vector<std::string> kTemplates = {
    "/{B}",                                                                 // 404 route
    "/graph/passthrough?input=files%2F{B}",                                 // files/ input
    "/graph/passthrough?input=files/{B}.jpg",
    "/graph/passthrough?input=http%3A%2F%2F127.0.0.1%3A{PORT}%2F{B}.jpg",   // http input (refused: loopback)
    "/graph/passthrough?input=http%3A%2F%2F{B}.example%2Fx.jpg",            // in the host name
    "/graph/passthrough?input=graph%2F{B}",                                 // graph/ input: graph name
    kNestedTemplate,                                                        // nested graph/ input
    "/graph/passthrough?input=gopher%3A%2F%2F{B}%2Fx",                      // unsupported scheme
    "/graph/passthrough?input=files%2Fgridbear.jpg&{B}=1",                  // parameter name
    "/graph/gradientmap?input=files%2Fgridbear.jpg&color1={B}",             // parameter value (colour)
    "/graph/gradientmap?input=files%2Fgridbear.jpg&color1=%23{B}",
    "/graph/passthrough?input=files%2Fgridbear.jpg&width={B}",              // a number
    "/graph/{B}?input=files%2Fgridbear.jpg",                                // graph name
    "/graph/passthrough.{B}?input=files%2Fgridbear.jpg",                    // extension
    kSignedTemplate,                                                        // signed form: key and token
    "/cache/{B}",                                                           // stored result key
    "/cache/0123456789abcdef0123456789abcdef01234567.{B}",
    "/files/{B}",                                                           // bundled file
};

struct HostileTarget {
  std::string target;
  bool nested = false;  // may be 504 (see kNestedTemplate)
};

std::vector<HostileTarget> hostile_targets(int port, bool auth) {
  std::vector<HostileTarget> out;
  auto add = [&](const std::string& bad, const std::string& bad_nested) {
    for (const auto& t : kTemplates) {
      if (t == kSignedTemplate && !auth) continue;
      std::string s = replace_all(t, "{PORT}", std::to_string(port));
      s = replace_all(s, "{B2}", bad_nested);
      out.push_back({replace_all(s, "{B}", bad), t == kNestedTemplate});
    }
  };
  for (const auto& b : kBadEncoded) add(b, replace_all(b, "%", "%25"));
  for (const auto& b : kBadRaw) add(b, b);
  return out;
}

// Whole requests with bad bytes outside the target: header values, the method.
std::vector<std::pair<std::string, std::string>> hostile_requests(int port) {
  const std::string host = "127.0.0.1:" + std::to_string(port);
  return {
      {"0x80 in a header value", request_bytes("GET", "/nothing", port, {"X-Hostile: a\x80z\xFF"})},
      {"0x80 in Host", request_bytes("GET", "/graph/nosuchgraph?input=files%2Fgridbear.jpg", port,
                                     {"Host: evil\x80.example"})},
      {"0x80 in Host, missing input", request_bytes("GET", "/graph/passthrough?input=files%2F%FF", port,
                                                    {"Host: \xFF\xFE"})},
      {"0x80 in If-None-Match", request_bytes("GET", "/cache/0123456789abcdef0123456789abcdef01234567.png", port,
                                              {"If-None-Match: \"\x80\""})},
      {"0xFF in the method", request_bytes("G\xFFT", "/health", port)},
      {"POST with 0xFF", request_bytes("POST", "/graph/passthrough?input=files%2F%FF", port)},
      {"HEAD with 0xFF", request_bytes("HEAD", "/graph/%FF?input=files%2Fgridbear.jpg", port)},
  };
}

// Sends the whole matrix; every answer must be a prompt 4xx JSON error.
void run_utf8_matrix(ServerProcess& server, int origin_port, bool auth) {
  std::map<int, int> statuses;
  int sent = 0;
  auto send = [&](const std::string& bytes) {
    const RawResponse r = raw_request(server.port(), bytes, std::chrono::seconds(kRequestTimeoutSeconds + 2));
    ++sent;
    ++statuses[r.status];
    return r;
  };
  for (const auto& t : hostile_targets(origin_port, auth)) {
    const std::string what = "GET " + printable(t.target);
    const RawResponse r = send(request_bytes("GET", t.target, server.port()));
    if (t.nested && r.status == 504) {
      EXPECT_LT(r.seconds, kDeadline) << what;
      json_error(r.status, r.body, r.header("content-type"), what);
    } else {
      expect_json_4xx(r, what);
    }
    if (!server.running()) break;
  }
  for (const auto& [label, bytes] : hostile_requests(server.port())) {
    const std::string what = label + ": " + printable(bytes.substr(0, bytes.find('\r')));
    const RawResponse r = send(bytes);
    if (bytes.rfind("HEAD ", 0) == 0) {  // no body: the status and the type say it
      ASSERT_TRUE(r.complete) << what << ": " << r.error;
      EXPECT_GE(r.status, 400) << what;
      EXPECT_LT(r.status, 500) << what;
      EXPECT_EQ(r.header("content-type"), "application/json") << what;
    } else {
      expect_json_4xx(r, what);
    }
  }
  std::string summary;
  for (const auto& [status, n] : statuses) summary += " " + std::to_string(status) + "x" + std::to_string(n);
  std::printf("[ measure  ] %d hostile requests answered:%s\n", sent, summary.c_str());
  expect_alive(server, "after the non-UTF-8 matrix");
}

TEST(Hostile, NonUtf8BytesAnywhereAreA4xxJsonAnswer) {
  TestOrigin origin("127.0.0.1");  // a real loopback port for input=http://127.0.0.1:PORT/... (refused)
  ServerProcess server("utf8", {}, kDeadlineArgs);
  run_utf8_matrix(server, origin.port(), false);
  EXPECT_TRUE(origin.requests().empty()) << "a refused destination was contacted";
}

TEST(Hostile, NonUtf8BytesWithAuthOnAreA4xxJsonAnswer) {
  TestOrigin origin("127.0.0.1");
  ServerProcess server("utf8-auth",
                       {{"IMGFLO_API_KEY", "ooShei0queigeeke"},
                        {"IMGFLO_API_SECRET", "reeva9aijo1Ooj9w"},
                        {"IMGFLO_ADMIN_KEY", "niem4Hoodaku"},
                        {"IMGFLO_ADMIN_SECRET", "reiL1ohqu1do"}},
                       kDeadlineArgs);
  run_utf8_matrix(server, origin.port(), true);
  // Correctly signed requests whose values carry the bytes reach the deeper checks.
  const std::string spec = "gradientmap";
  for (const std::string bad : {"%FF", "%C0%AF", "%ED%A0%80"}) {
    for (const std::string& search : {"?input=files%2Fgridbear.jpg&color1=" + bad, "?input=files%2F" + bad,
                                      "?input=graph%2F" + bad}) {
      const std::string token = md5_hex(spec + search + "reeva9aijo1Ooj9w");
      const std::string target = "/graph/ooShei0queigeeke/" + token + "/" + spec + search;
      expect_json_4xx(raw_request(server.port(), request_bytes("GET", target, server.port())), "signed " + target);
    }
  }
  expect_alive(server, "after the signed requests");
}

TEST(Hostile, NonUtf8InputUrlFromAnAllowListedOriginIsAJsonAnswer) {
  // The same bytes in an input URL the server may fetch: it refuses the URL (400) or downloads
  // it and reports the origin's 404 (504); either way a JSON answer and a live process.
  TestOrigin origin("127.0.0.1");
  ServerProcess server("utf8-allowed", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}}, kDeadlineArgs);
  std::vector<std::string> bads = kBadEncoded;
  bads.insert(bads.end(), kBadRaw.begin(), kBadRaw.end());
  for (const auto& bad : bads) {
    for (const std::string t : {"/graph/passthrough?input=http%3A%2F%2F127.0.0.1%3A{PORT}%2F{B}.jpg",
                                 "/graph/passthrough?input=http%3A%2F%2F127.0.0.1%3A{PORT}%2Fx.jpg%3Fq%3D{B}"}) {
      const std::string target = replace_all(replace_all(t, "{PORT}", std::to_string(origin.port())), "{B}", bad);
      const RawResponse r = raw_request(server.port(), request_bytes("GET", target, server.port()), 10s);
      ASSERT_TRUE(r.complete) << printable(target) << ": " << r.error;
      EXPECT_TRUE(r.status == 400 || r.status == 504) << printable(target) << ": " << r.status << " "
                                                      << printable(r.body);
      EXPECT_LT(r.seconds, kDeadline) << printable(target);
      json_error(r.status, r.body, r.header("content-type"), printable(target));
    }
  }
  expect_alive(server, "after non-UTF-8 input URLs");
}

// ---------------------------------------------------------------------------------------------
// 2. Output sizes. width=1000000&height=0 passed the width x height < limit pre-check (0 is
// "keep the aspect") and made a ~5 GB image. Every such request is refused before any job.

// The server's memory is capped (address space) so that a regression fails this test instead of
// exhausting the machine; a fixed server never comes near the cap.
const std::vector<std::string> kMemoryCap = {"--as=6442450944"};  // 6 GiB of address space

std::vector<std::string> oversize_queries() {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"width=1000000", "height=0"},  {"width=1000000", "height=-1"}, {"width=1000000", "height=%20"},
      {"width=1000000", "height=0.5"}, {"width=1000000", "height="},   {"width=1000000", ""},
      {"width=99999", "height=99999"}, {"width=1e9", ""},              {"width=0x7fffffff", ""},
      {"width=1e9", "height=0"},       {"width=Infinity", ""},         {"width=1000000", "height=abc"},
  };
  std::vector<std::string> out;
  for (const auto& [w, h] : pairs) {
    out.push_back(w + (h.empty() ? "" : "&" + h));
    // The same with width and height swapped.
    auto swap = [](std::string s) {
      s = replace_all(s, "width", "@W@");
      s = replace_all(s, "height", "width");
      return replace_all(s, "@W@", "height");
    };
    out.push_back(swap(w) + (h.empty() ? "" : "&" + swap(h)));
  }
  return out;
}

struct Measured {
  double seconds = 0;
  long long hwm = 0;
};

TEST(Hostile, OversizeOutputIsRefusedBeforeQueueing) {
  ServerProcess server("oversize", {}, with(kDeadlineArgs, {"--workers", "2"}),
                       limited_program("imgflo-server", kMemoryCap, "oversize"));
  const auto started = proc_memory(server.pid());
  ASSERT_TRUE(started.has_value());
  // What a normal request costs: a 768x1024 JPEG to PNG, and the same rescaled to 12 MP as a JPEG.
  const HttpResult normal = http(server.url("/graph/passthrough.png?input=files%2Fgrid-toastybob.jpg"));
  ASSERT_EQ(normal.status, 301) << normal.body;
  const auto after_normal = proc_memory(server.pid());
  const HttpResult big = http(server.url("/graph/passthrough.jpg?input=files%2Fgrid-toastybob.jpg&width=3000"));
  EXPECT_EQ(big.status, 301) << big.body;  // 3000 x 4000 = 12 MP
  const auto after_big = proc_memory(server.pid());
  ASSERT_TRUE(after_normal && after_big);

  double slowest = 0;
  int requests = 0;
  for (const std::string input : {"files%2Fgridbear.jpg", "files%2Fgrid-toastybob.jpg"}) {
    for (const auto& q : oversize_queries()) {
      for (const std::string method : {"GET", "POST"}) {
        const std::string path = "/graph/passthrough.png?input=" + input + "&" + q;
        const HttpResult r = request(server.url(path), 10s, method);
        ++requests;
        slowest = std::max(slowest, r.seconds);
        const std::string what = method + " " + path;
        EXPECT_TRUE(r.status == 422 || r.status == 400) << what << ": " << r.status << " " << r.body;
        EXPECT_LT(r.seconds, 5.0) << what;
        if (r.status >= 400) json_error(r.status, r.body, r.header("content-type"), what);
        if (!server.running()) break;
      }
    }
  }
  const auto after = proc_memory(server.pid());
  ASSERT_TRUE(server.running()) << server.log();
  ASSERT_TRUE(after.has_value());
  std::printf("[ measure  ] VmHWM: %.0f MB at start, %.0f MB after one 768x1024 PNG, %.0f MB after a 12 MP JPEG, "
              "%.0f MB after %d oversize requests (slowest answer %.3f s)\n",
              started->hwm_bytes / 1e6, after_normal->hwm_bytes / 1e6, after_big->hwm_bytes / 1e6,
              after->hwm_bytes / 1e6, requests, slowest);
  EXPECT_LT(after->hwm_bytes, 400'000'000LL);
  EXPECT_EQ(metric(server, "imgflo_jobs_submitted_total"), 2u);  // only the two normal requests ran
  expect_alive(server, "after the oversize requests");
}

// Graph parameters that grow the output (crop rectangles, rotated crops, canvas sizes): extreme
// values are refused (422, or 400 for a malformed value), promptly, with bounded memory. Every
// graph of the catalogue that takes width/height also gets the bypass.
TEST(Hostile, GrowingGraphParametersAreRefused) {
  ServerProcess server("growth", {}, with(kDeadlineArgs, {"--workers", "2"}),
                       limited_program("imgflo-server", kMemoryCap, "growth"));
  const HttpResult catalogue = http_get(server.url("/graphs"));
  ASSERT_EQ(catalogue.status, 200);
  const auto graphs = catalogue.json().at("graphs");
  ASSERT_FALSE(graphs.empty());

  std::vector<std::string> paths;
  for (const auto& [name, graph] : graphs.items()) {
    if (!graph.contains("inports") || !graph["inports"].contains("width")) continue;  // noop: bytes as they are
    const std::string input = graph["inports"].contains("input") ? "input=files%2Fgridbear.jpg&" : "";
    paths.push_back("/graph/" + name + ".png?" + input + "width=1000000&height=0");
    paths.push_back("/graph/" + name + ".png?" + input + "height=1000000&width=");
  }
  ASSERT_GE(paths.size(), 20u);  // the bundled graphs
  const std::string in = "input=files%2Fgridbear.jpg";
  const std::vector<std::string> growth = {
      // crop (.fbp): the rectangle may be far larger than the input
      "/graph/crop.png?" + in + "&cropwidth=1000000&cropheight=1000000",
      "/graph/crop.png?" + in + "&cropwidth=2000000000&cropheight=2000000000",
      "/graph/crop.png?" + in + "&x=-1000000&y=-1000000&cropwidth=1000000&cropheight=100000",
      "/graph/crop.png?" + in + "&cropwidth=1e300&cropheight=1e300",
      "/graph/crop.png?" + in + "&cropwidth=100000&cropheight=1000&width=1000000&height=0",
      // croprotate: rotation, then a crop of the rotated frame
      "/graph/croprotate.png?" + in + "&degrees=45&cropwidth=1000000&cropheight=1000000",
      "/graph/croprotate.png?" + in + "&degrees=1e308&cropwidth=100000&cropheight=100000",
      // canvas graphs: the canvas is width x height
      "/graph/canvas.png?width=1000000&height=1000000",
      "/graph/canvas.png?width=100000&height=0",
      "/graph/canvas.png?width=100000&height=1000",
      "/graph/delaunay_triangles.png?width=1000000&height=1",
      "/graph/delaunay_triangles.png?width=1e9&height=1e9",
  };
  paths.insert(paths.end(), growth.begin(), growth.end());
  double slowest = 0;
  std::map<int, int> statuses;
  for (const auto& path : paths) {
    const HttpResult r = request(server.url(path), 10s);
    slowest = std::max(slowest, r.seconds);
    ++statuses[r.status];
    EXPECT_TRUE(r.status == 422 || r.status == 400) << path << ": " << r.status << " " << r.body;
    EXPECT_LT(r.seconds, 5.0) << path;
    if (r.status >= 400) json_error(r.status, r.body, r.header("content-type"), path);
    if (!server.running()) break;
  }
  const auto after = proc_memory(server.pid());
  ASSERT_TRUE(server.running()) << server.log();
  ASSERT_TRUE(after.has_value());
  std::string summary;
  for (const auto& [status, n] : statuses) summary += " " + std::to_string(status) + "x" + std::to_string(n);
  std::printf("[ measure  ] %zu growth requests:%s; VmHWM %.0f MB, slowest answer %.3f s\n", paths.size(),
              summary.c_str(), after->hwm_bytes / 1e6, slowest);
  EXPECT_LT(after->hwm_bytes, 400'000'000LL);
  expect_alive(server, "after the growth requests");
}

// CPU of `pid` over a window, in core-seconds per second.
double cpu_rate(pid_t pid, std::chrono::milliseconds window) {
  const double c0 = proc_cpu_seconds(pid);
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(window);
  const double c1 = proc_cpu_seconds(pid);
  return c0 < 0 || c1 < 0 ? -1 : (c1 - c0) / seconds_since(t0);
}

// Op parameters beyond their range (GEGL's ranges: std-dev <= 1500, motion blur length <= 1000,
// c2g samples <= 1000, ...) cost at most what the largest allowed value costs: answered by the
// deadline (504 when the work takes longer), and the work stops with it.
TEST(Hostile, ExtremeOpParametersAreBoundedByTheDeadline) {
  ServerProcess server("extreme-ops", {}, with(kDeadlineArgs, {"--workers", "2"}),
                       limited_program("imgflo-server", kMemoryCap, "extreme-ops"));
  const std::string in = "input=files%2Fgridbear.jpg";
  const std::vector<std::string> paths = {
      "/graph/gaussianblur.png?" + in + "&std-dev-x=1000000&std-dev-y=1000000",
      "/graph/gaussianblur.png?" + in + "&std-dev-x=1e308&std-dev-y=-1e308",
      "/graph/halodarken.png?" + in + "&edgeblur-x=1000000&edgeblur-y=1000000",
      "/graph/enhancelowres.png?" + in + "&iterations=1000000000",
      "/graph/retro.png?" + in + "&strength=1e308",
      "/graph/gradientmap.png?" + in + "&stop1=1e308&stop2=-1e308",
      "/graph/croprotate.png?" + in + "&degrees=1e308",
      "/graph/crop.png?" + in + "&x=1e308&y=-1e308",
      // the expensive ones: the largest allowed values take seconds on a 150x150 input
      "/graph/motionblur.png?" + in + "&length=1000000&angle=45",
      "/graph/desaturate.png?" + in + "&samples=1000000&grainsize=1000000",
  };
  for (const auto& path : paths) {
    const HttpResult r = request(server.url(path), 20s);
    EXPECT_TRUE(r.status == 301 || r.status == 400 || r.status == 422 || r.status == 504)
        << path << ": " << r.status << " " << r.error << " " << r.body;
    EXPECT_LT(r.seconds, kDeadline + 1.0) << path;
    if (r.status >= 400) json_error(r.status, r.body, r.header("content-type"), path);
    std::printf("[ measure  ] %s: %d in %.2f s\n", path.c_str(), r.status, r.seconds);
    if (r.status == 504) {
      // The job is cancelled with the deadline: the server goes quiet again.
      double rate = -1;
      for (int i = 0; i < 4; ++i) {
        rate = cpu_rate(server.pid(), 750ms);
        if (rate >= 0 && rate < 0.3) break;
      }
      EXPECT_LT(rate, 0.3) << path << ": still busy after its deadline";
    }
    if (!server.running()) break;
  }
  const auto after = proc_memory(server.pid());
  ASSERT_TRUE(after.has_value());
  EXPECT_LT(after->hwm_bytes, 400'000'000LL);
  expect_alive(server, "after extreme op parameters");
}

// ---------------------------------------------------------------------------------------------
// 3. Out of descriptors: accept() failing with EMFILE was retried at once, burning ~2 cores.

int open_files_limit(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(std::string("Max open files").size()));
      int soft = -1;
      fields >> soft;
      return soft;
    }
  }
  return -1;
}

TEST(Hostile, OutOfDescriptorsTheAcceptLoopDoesNotSpin) {
  ServerProcess server("emfile", {}, with(kDeadlineArgs, {"--http-threads", "2"}),
                       limited_program("imgflo-server", {"--nofile=256:256"}, "emfile"));
  ASSERT_EQ(open_files_limit(server.pid()), 256);
  const int fds_at_start = proc_fd_count(server.pid());
  ASSERT_GT(fds_at_start, 0);

  IdleConnections idle(server.port(), 400);
  ASSERT_EQ(idle.opened(), 400);
  // The server takes what it can (until its descriptors run out, or it sheds the surplus).
  int fds = 0;
  for (const auto until = Clock::now() + 5s; Clock::now() < until;) {
    fds = proc_fd_count(server.pid());
    if (fds >= 250) break;
    std::this_thread::sleep_for(50ms);
  }
  const double cpu0 = proc_cpu_seconds(server.pid());
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(2s);  // the measurement window (not a synchronisation)
  const double cpu1 = proc_cpu_seconds(server.pid());
  const double window = seconds_since(t0);
  ASSERT_GE(cpu0, 0);
  ASSERT_GE(cpu1, 0);
  const double rate = (cpu1 - cpu0) / window;
  std::printf("[ measure  ] %d idle connections held, server fds %d (limit 256): CPU %.3f core-seconds/second\n",
              idle.opened(), fds, rate);
  EXPECT_LT(rate, 0.3);
  ASSERT_TRUE(server.running()) << server.log();

  idle.close_all();
  const auto closed_at = Clock::now();
  const HttpResult health = request(server.url("/health"), 3s);
  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_LT(seconds_since(closed_at), 3.0);
  // The descriptors of the closed connections come back.
  int fds_after = -1;
  for (const auto until = Clock::now() + 5s; Clock::now() < until;) {
    fds_after = proc_fd_count(server.pid());
    if (fds_after <= fds_at_start + 8) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_LE(fds_after, fds_at_start + 8) << "descriptors at start " << fds_at_start;
  expect_alive(server, "after the idle connections closed");
}

// ---------------------------------------------------------------------------------------------
// 4. A second instance on the same port used to share it silently (SO_REUSEPORT).

TEST(Hostile, ASecondInstanceOnTheSamePortFailsToStart) {
  ServerProcess a("port-a", {}, with(kDeadlineArgs, {"--http-threads", "2"}));
  const fs::path dir = scratch_dir("port-b");
  ChildProcess b(binary_dir() / "imgflo-server",
                 {"--port", std::to_string(a.port()), "--address", "127.0.0.1", "--http-threads", "2", "--workdir",
                  (dir / "work").string()},
                 {}, dir / "server.log");
  const auto status = b.wait_exit(15s);
  ASSERT_TRUE(status.has_value()) << "the second instance is running on port " << a.port() << ":\n" << b.log();
  EXPECT_FALSE(status->signalled) << status->describe() << "\n" << b.log();
  EXPECT_NE(status->code, 0) << b.log();
  EXPECT_TRUE(std::regex_search(lower(b.log()), std::regex("in use"))) << b.log();

  const uint64_t before = metric(a, "imgflo_http_requests_total");
  for (int i = 0; i < 100; ++i) ASSERT_EQ(request(a.url("/health"), 3s).status, 200) << i;
  const uint64_t after = metric(a, "imgflo_http_requests_total");
  EXPECT_EQ(after - before, 101u);  // the 100 /health and this /metrics: every one answered by A
  EXPECT_TRUE(a.running());
}

// ---------------------------------------------------------------------------------------------
// 5. Instances sharing a cache folder. A starting instance deleted every .tmp-* file: the
// in-flight writes of the others.

TEST(Hostile, StartUpRemovesOnlyStaleTempFiles) {
  const fs::path work = scratch_dir("shared-tmp") / "work";
  const fs::path cache = work / "cache";
  fs::create_directories(cache);
  const fs::path fresh = cache / ".tmp-someotherinstance-abc";
  const fs::path old = cache / ".tmp-old-xyz";
  write_file(fresh, "another instance is writing this");
  write_file(old, "left behind by a crash");
  fs::last_write_time(old, fs::file_time_type::clock::now() - std::chrono::hours(2));

  ServerProcess server("shared-tmp", {}, with(kDeadlineArgs, {"--workdir", work.string()}));
  // The stale file goes (at start-up, or soon after).
  for (const auto until = Clock::now() + 5s; fs::exists(old) && Clock::now() < until;) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_FALSE(fs::exists(old)) << "a temp file 2 hours old is left";
  EXPECT_TRUE(fs::exists(fresh)) << "another instance's in-flight temp file was deleted";
  // The instance works in that folder, and its own writes leave no temp files behind.
  const HttpResult r = http_get(server.url("/graph/passthrough.png?input=files%2Fgridbear.jpg&ignored=tmp"));
  ASSERT_EQ(r.status, 301) << r.body;
  EXPECT_EQ(http_get(server.url(location_path(r.header("location")))).status, 200);
  std::vector<std::string> temps;
  for (const auto& e : fs::directory_iterator(cache)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(".tmp-", 0) == 0) temps.push_back(name);
  }
  EXPECT_EQ(temps, std::vector<std::string>{fresh.filename().string()});
  EXPECT_TRUE(fs::exists(fresh));
  expect_alive(server, "in a shared folder");
}

TEST(Hostile, TwoInstancesOnOneCacheFolderWhileOneRestarts) {
  const auto redis = test_service("IMGFLO_TEST_REDIS_URL");
  if (!redis) GTEST_SKIP() << missing_service_message("IMGFLO_TEST_REDIS_URL");
  const fs::path work = scratch_dir("shared-redis") / "work";
  const std::string prefix = "hostile-" + std::to_string(::getpid()) + "/";
  const auto args = with(kDeadlineArgs, {"--workdir", work.string(), "--cache", "redis-local", "--redis-url", *redis,
                                         "--redis-prefix", prefix, "--workers", "2"});
  const std::map<std::string, std::string> no_env;
  std::unique_ptr<ServerProcess> servers[2] = {std::make_unique<ServerProcess>("shared-0", no_env, args),
                                               std::make_unique<ServerProcess>("shared-1", no_env, args)};
  std::atomic<int> next{0};
  // A distinct request: noop stores a 1.9 MB input as it is, so most of its time is the write.
  auto distinct = [&](ServerProcess& via) {
    const std::string path = "/graph/noop?input=files%2Fmountains.png%3Fv%3D" + prefix + std::to_string(next++);
    return std::make_pair(path, request(via.url(path), 10s));
  };
  std::mutex mu;
  int failures = 0, answered = 0;
  auto check = [&](const std::pair<std::string, HttpResult>& done, ServerProcess& via) {
    const auto& [path, r] = done;
    std::string problem;
    if (r.status != 301) {
      problem = std::to_string(r.status) + " " + r.error + " " + r.body;
    } else if (const HttpResult stored = http_get(via.url(location_path(r.header("location")))); stored.status != 200) {
      problem = "stored result " + r.header("location") + " answers " + std::to_string(stored.status);
    }
    std::lock_guard lock(mu);
    ++answered;
    if (!problem.empty()) {
      ++failures;
      ADD_FAILURE() << path << ": " << problem;
    }
  };
  for (int round = 0; round < 5; ++round) {
    const int restarting = round % 2;
    ServerProcess& stays = *servers[1 - restarting];
    // Clients keep writing results through the instance that stays while the other restarts on
    // the same folder (its start-up clean-up runs meanwhile).
    std::atomic<bool> restarted{false};
    std::vector<std::future<void>> clients;
    for (int c = 0; c < 3; ++c) {
      clients.push_back(std::async(std::launch::async, [&] {
        for (int i = 0; i < 100 && !restarted; ++i) check(distinct(stays), stays);
      }));
    }
    servers[restarting].reset();
    servers[restarting] = std::make_unique<ServerProcess>("shared-" + std::to_string(restarting), no_env, args);
    restarted = true;
    for (auto& c : clients) c.get();
    // Then distinct requests through both at once.
    std::vector<std::future<void>> both;
    for (int i = 0; i < 4; ++i) {
      ServerProcess* via = servers[i % 2].get();
      ServerProcess* other = servers[1 - i % 2].get();  // the stored result is read through the other
      both.push_back(std::async(std::launch::async, [&, via, other] {
        const std::string path = "/graph/passthrough.png?input=files%2Fgridbear.jpg&ignored=" + prefix +
                                 std::to_string(next++);
        check({path, request(via->url(path), 10s)}, *other);
      }));
    }
    for (auto& b : both) b.get();
  }
  std::printf("[ measure  ] %d requests through two instances on one folder while one restarted 5 times: "
              "%d failures\n", answered, failures);
  EXPECT_EQ(failures, 0);
  EXPECT_GT(answered, 40);
  for (auto& s : servers) expect_alive(*s, "after the restarts");
}

// ---------------------------------------------------------------------------------------------
// 6. Operator graph files: a number out of range in JSON, invalid UTF-8 in an .fbp IIP.

const std::string kHugeNumberJson = R"({
  "properties": { "name": "hugenumber", "environment": { "type": "imgflo" } },
  "inports": { "input": { "process": "crop", "port": "input" } },
  "outports": { "output": { "process": "crop", "port": "output" } },
  "processes": { "crop": { "component": "gegl/crop" } },
  "connections": [ { "data": 1e999, "tgt": { "process": "crop", "port": "width" } } ]
})";

// An IIP of invalid UTF-8 on a port that takes any text (the node name of a nop), one on a
// number port and an exported port whose name is not UTF-8.
const std::string kBadUtf8Fbp =
    "# \xFF\xFE comment\n"
    "INPORT=in.INPUT:INPUT\n"
    "OUTPORT=out.OUTPUT:OUTPUT\n"
    "'\xC0\xAF\xFF' -> IGNORED in(gegl/nop)\n"
    "in(gegl/nop) OUTPUT -> INPUT out(gegl/nop)\n";

const std::string kBadUtf8NumberFbp =
    "INPORT=crop.INPUT:INPUT\n"
    "OUTPORT=crop.OUTPUT:OUTPUT\n"
    "'\xED\xA0\x80' -> WIDTH crop(gegl/crop)\n";

// The repository's graphs plus one bad file.
fs::path graphs_with(const std::string& name, const std::string& file, const std::string& bytes) {
  const fs::path dir = scratch_dir("graphs-" + name) / "graphs";
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(graph_dir())) {
    if (e.is_regular_file()) fs::copy_file(e.path(), dir / e.path().filename());
  }
  write_file(dir / file, bytes);
  return dir;
}

struct BadGraph {
  std::string name, file, bytes;
};
const std::vector<BadGraph> kBadGraphs = {
    {"hugenumber", "hugenumber.json", kHugeNumberJson},
    {"badutf8", "badutf8.fbp", kBadUtf8Fbp},
    {"badutf8number", "badutf8number.fbp", kBadUtf8NumberFbp},
};

TEST(Hostile, BrokenGraphFilesNeverCrashTheServer) {
  for (const auto& bad : kBadGraphs) {
    SCOPED_TRACE(bad.file);
    const fs::path graphs = graphs_with("server-" + bad.name, bad.file, bad.bytes);
    const fs::path dir = scratch_dir("badgraph-" + bad.name);
    ChildProcess server(binary_dir() / "imgflo-server",
                        with(kDeadlineArgs, {"--port", "0", "--address", "127.0.0.1", "--workdir",
                                             (dir / "work").string(), "--graphs", graphs.string()}),
                        {}, dir / "server.log");
    const auto port = server.wait_log("listening on port ([0-9]+)", 30s);
    if (!port) {
      // Refusing to start is a choice, with a clean exit and a message naming the file.
      const auto status = server.wait_exit(15s);
      ASSERT_TRUE(status.has_value()) << "neither listening nor exited:\n" << printable(server.log());
      EXPECT_FALSE(status->signalled) << status->describe() << "\n" << printable(server.log());
      EXPECT_NE(status->code, 0);
      EXPECT_NE(server.log().find(bad.file), std::string::npos) << printable(server.log());
      std::printf("[ measure  ] %s: the server refuses to start (%s)\n", bad.file.c_str(), status->describe().c_str());
      continue;
    }
    std::printf("[ measure  ] %s: the server starts\n", bad.file.c_str());
    const std::string base = "http://127.0.0.1:" + *port;
    const HttpResult listing = request(base + "/graphs", 5s);
    ASSERT_EQ(listing.status, 200) << printable(server.log());
    nlohmann::json graphs_json;
    ASSERT_NO_THROW(graphs_json = nlohmann::json::parse(listing.body)) << printable(listing.body);
    EXPECT_TRUE(graphs_json["graphs"].contains("crop"));
    EXPECT_TRUE(graphs_json["graphs"].contains("gradientmap"));
    const HttpResult crop = request(base + "/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=20", 10s);
    EXPECT_EQ(crop.status, 301) << crop.body;
    // The bad graph, if it was loaded, answers JSON too.
    const std::string stem = fs::path(bad.file).stem().string();
    const HttpResult use = request(base + "/graph/" + stem + ".png?input=files%2Fgridbear.jpg", 10s);
    EXPECT_NE(use.status, 0) << use.error;
    if (use.status >= 400) json_error(use.status, use.body, use.header("content-type"), "/graph/" + stem);
    EXPECT_TRUE(server.running()) << printable(server.log());
    const ExitStatus stopped = server.stop();
    EXPECT_FALSE(stopped.signalled && stopped.code != SIGTERM) << stopped.describe();
  }
}

TEST(Hostile, BrokenGraphFilesNeverCrashImgfloProcess) {
  for (const auto& bad : kBadGraphs) {
    SCOPED_TRACE(bad.file);
    const fs::path graphs = graphs_with("process-" + bad.name, bad.file, bad.bytes);
    const fs::path dir = scratch_dir("badgraph-process-" + bad.name);
    ChildProcess list(binary_dir() / "imgflo-process", {"--list", "--graphs", graphs.string()}, {},
                      dir / "list.log");
    const auto status = list.wait_exit(60s);
    ASSERT_TRUE(status.has_value()) << "imgflo-process --list did not finish";
    EXPECT_FALSE(status->signalled) << status->describe() << "\n" << printable(list.log());
    EXPECT_TRUE(status->code == 0 || status->code == 1) << status->describe() << "\n" << printable(list.log());
    std::printf("[ measure  ] imgflo-process --list with %s: %s\n", bad.file.c_str(), status->describe().c_str());
  }
}

// ---------------------------------------------------------------------------------------------
// 7. Information disclosure.

// libcurl's own texts (curl_easy_strerror and its error buffer).
const std::vector<std::string> kCurlTexts = {"curl",           "could not resolve", "couldn't resolve",
                                             "couldn't connect", "failed to connect", "resolve host",
                                             "connection refused", "name or service"};

void expect_no_curl_text(const std::string& body, const std::string& what) {
  for (const auto& t : kCurlTexts) EXPECT_EQ(lower(body).find(t), std::string::npos) << what << ": " << body;
}

TEST(Hostile, RefusedDestinationsShareOneMessage) {
  ServerProcess server("disclosure", {}, with(kDeadlineArgs, {"--fetch-connect-timeout", "2"}));
  struct Case {
    std::string url, secret;  // secret: what the error text must not reveal
  };
  const std::vector<Case> refused = {{"http://127.0.0.1:1/x", "127.0.0.1"},
                                     {"http://10.0.0.1/x", "10.0.0.1"},
                                     {"http://169.254.169.254/", "169.254"},
                                     {"http://[::1]:1/x", "::1"},
                                     {"http://localhost:1/x", "localhost"}};
  std::set<std::string> messages;
  for (const auto& c : refused) {
    const HttpResult r = request(server.url("/graph/passthrough?" + input_param(c.url)), 10s);
    EXPECT_EQ(r.status, 403) << c.url << ": " << r.body;
    EXPECT_LT(r.seconds, kDeadline) << c.url;
    const auto j = json_error(r.status, r.body, r.header("content-type"), c.url);
    if (!j.is_object() || !j.contains("error")) continue;
    const std::string error = j["error"].get<std::string>();
    messages.insert(error);
    EXPECT_EQ(error.find(c.secret), std::string::npos) << c.url << ": " << error;
    for (const std::string w : {"loopback", "private", "link-local", "link local", "reserved"}) {
      EXPECT_EQ(lower(error).find(w), std::string::npos) << c.url << " (address class named): " << error;
    }
    expect_no_curl_text(r.body, c.url);
  }
  EXPECT_EQ(messages.size(), 1u) << "refused destinations are told apart by their messages";

  // A name that does not resolve: refused like the others, or a generic download failure.
  const std::string unresolvable = "http://no-such-host.invalid/x";
  const HttpResult r = request(server.url("/graph/passthrough?" + input_param(unresolvable)), 10s);
  EXPECT_TRUE(r.status == 403 || r.status == 504) << r.status << " " << r.body;
  EXPECT_LT(r.seconds, kDeadline);
  const auto j = json_error(r.status, r.body, r.header("content-type"), unresolvable);
  if (j.is_object() && j.contains("error")) {
    const std::string error = j["error"].get<std::string>();
    EXPECT_EQ(error.find("no-such-host"), std::string::npos) << error;
    if (r.status == 403) {
      EXPECT_TRUE(messages.count(error)) << error;
    }
  }
  expect_no_curl_text(r.body, unresolvable);
  expect_alive(server, "after refused destinations");
}

TEST(Hostile, StorageFailuresDiscloseNothing) {
  const auto endpoint = test_service("IMGFLO_TEST_S3_ENDPOINT");
  const auto bucket = test_service("IMGFLO_TEST_S3_BUCKET");
  const auto key_id = test_service("IMGFLO_TEST_S3_KEY");
  if (!endpoint || !bucket || !key_id) GTEST_SKIP() << missing_service_message("IMGFLO_TEST_S3_ENDPOINT");
  const std::string folder = "hostile" + std::to_string(::getpid());
  ServerProcess server("s3-wrong-secret", {},
                       with(kDeadlineArgs, {"--cache", "s3", "--s3-endpoint", *endpoint, "--s3-bucket", *bucket,
                                            "--s3-key-id", *key_id, "--s3-secret", "not-the-secret", "--s3-folder",
                                            folder}));
  const std::string search = "?input=files%2Fgridbear.jpg&cropwidth=50&cropheight=40&x=7";
  const std::string key = sha1_hex("/graph/crop" + search);
  const HttpResult r = request(server.url("/graph/crop.png" + search), 20s);
  EXPECT_EQ(r.status, 503) << r.body;
  std::printf("[ measure  ] S3 failure answered %d: %s\n", r.status, printable(r.body).c_str());
  const auto j = json_error(r.status, r.body, r.header("content-type"), "S3 failure");
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j.contains("error_id")) << r.body;
  std::string endpoint_host = *endpoint;
  if (const size_t scheme = endpoint_host.find("://"); scheme != std::string::npos) {
    endpoint_host = endpoint_host.substr(scheme + 3);
  }
  for (const std::string& secret : {*bucket, folder, key, endpoint_host, std::string("not-the-secret"),
                                    std::string("SignatureDoesNotMatch"), std::string("x-amz")}) {
    EXPECT_EQ(r.body.find(secret), std::string::npos) << "the answer reveals " << secret << ": " << r.body;
  }
  expect_no_curl_text(r.body, "S3 failure");
  // The error id leads to the details in the log.
  if (j.contains("error_id") && j["error_id"].is_string()) {
    EXPECT_NE(server.log().find(j["error_id"].get<std::string>()), std::string::npos) << server.log();
  }
  expect_alive(server, "after an S3 failure");
}

TEST(Hostile, LocationIgnoresTheHostHeader) {
  ServerProcess server("host-header", {}, kDeadlineArgs);
  const int port = server.port();
  const std::string target = "/graph/passthrough.png?input=files%2Fgridbear.jpg&ignored=host-" +
                             std::to_string(::getpid());
  // Keep-alive requests (the hot path answers only those): miss, cached hit, prepared answer.
  auto get = [&](const std::string& host) {
    std::string bytes = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    return raw_request(port, bytes, 10s);
  };
  std::vector<std::string> locations;
  for (int i = 0; i < 4; ++i) {
    const RawResponse r = get("evil.example");
    ASSERT_TRUE(r.complete) << r.error;
    ASSERT_EQ(r.status, 301) << r.body;
    const std::string location = r.header("location");
    EXPECT_EQ(lower(location).find("evil.example"), std::string::npos) << "answer " << i << ": " << location;
    EXPECT_EQ(location_path(location).rfind("/cache/", 0), 0u) << location;
    locations.push_back(location);
  }
  // The legitimate Host gets the same Location (nothing depends on the header).
  const RawResponse honest = get("127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(honest.header("location"), locations.front());
  const RawResponse evil_again = get("evil.example:" + std::to_string(port));
  EXPECT_EQ(evil_again.header("location"), locations.front());
  for (const auto& l : locations) EXPECT_EQ(l, locations.front());
  EXPECT_GE(metric(server, "imgflo_cache_hits_total"), 3u);  // the repeats were answered from the cache
  // POST's 202 too.
  const RawResponse posted = raw_request(
      port, request_bytes("POST", replace_all(target, "ignored=", "ignored=post-"), port, {"Host: evil.example"}), 10s);
  EXPECT_TRUE(posted.status == 202 || posted.status == 301) << posted.status;
  EXPECT_EQ(lower(posted.header("location")).find("evil.example"), std::string::npos) << posted.header("location");
  expect_alive(server, "after Host headers");
}

TEST(Hostile, StoredResultsAndFilesAreNeverSniffed) {
  ServerProcess server("nosniff", {}, kDeadlineArgs);
  // noop stores the input's bytes as they are: an SVG (script-capable) among them.
  for (const std::string path :
       {"/graph/noop?input=files%2Fhappy-kitten.svg", "/graph/noop.svg?input=files%2Fhappy-kitten.svg",
        "/graph/noop?input=files%2Fgridbear.jpg", "/graph/passthrough.png?input=files%2Fgridbear.jpg"}) {
    const HttpResult r = http_get(server.url(path));
    ASSERT_EQ(r.status, 301) << path << ": " << r.body;
    const std::string stored = location_path(r.header("location"));
    const HttpResult get = http_get(server.url(stored));
    EXPECT_EQ(get.status, 200) << stored;
    EXPECT_EQ(lower(get.header("x-content-type-options")), "nosniff") << stored;
    const HttpResult head = request(server.url(stored), 10s, "HEAD");
    EXPECT_EQ(lower(head.header("x-content-type-options")), "nosniff") << "HEAD " << stored;
    const std::string key = stored.substr(std::string("/cache/").size());
    const HttpResult not_modified = request(server.url(stored), 10s, "GET", {"If-None-Match: \"" + key + "\""});
    EXPECT_EQ(not_modified.status, 304);
    EXPECT_EQ(lower(not_modified.header("x-content-type-options")), "nosniff") << "304 " << stored;
  }
  for (const std::string name : {"happy-kitten.svg", "gridbear.jpg", "video-3dpmic.mp4"}) {
    const HttpResult r = http_get(server.url("/files/" + name));
    EXPECT_EQ(r.status, 200) << name;
    EXPECT_EQ(lower(r.header("x-content-type-options")), "nosniff") << "/files/" << name;
  }
  // Their error answers too.
  for (const std::string path : {"/cache/0123456789abcdef0123456789abcdef01234567.png", "/files/nothere.jpg"}) {
    const HttpResult r = http_get(server.url(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(lower(r.header("x-content-type-options")), "nosniff") << path;
    json_error(r.status, r.body, r.header("content-type"), path);
  }
  expect_alive(server, "after serving stored results");
}

}  // namespace
}  // namespace imgflo::test
