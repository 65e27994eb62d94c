// imgflo-url: print the URL of a processing request, signed when credentials
// are given, as the original's imgflo-url client built them.
//
//   imgflo-url [--server URL] [--key K --secret S] [--hmac] [--expires N|@UNIX] [--open]
//              GRAPH[.ext] name=value ...
//
// Parameters are sorted by name and encoded like JavaScript's
// encodeURIComponent (request/signed_url.h). Exit status 0 on success, 1 when
// --open gets no redirect (the server's JSON error is printed) or cannot reach
// the server, 2 for usage errors.
#include "app/main_guard.h"
#include "app/url_open.h"
#include "request/signed_url.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace request = imgflo::request;

constexpr const char* kUsage =
    R"(usage: imgflo-url [options] GRAPH[.ext] [name=value ...]

Prints the URL of an imgflo-server processing request: GRAPH with the output
type .ext (png, jpg, webp, ...; none: jpg or negotiated) and the parameters as
the query (sorted by name, each name and value encoded like JavaScript's
encodeURIComponent). With a key and a secret the URL is signed:
/graph/KEY/TOKEN/GRAPH[.ext]?query, TOKEN = md5(GRAPH[.ext] + query + secret),
or HMAC-SHA256 with --hmac.

options:
  --server URL       the server (default $IMGFLO_SERVER, else http://localhost:8080)
  --key K            the app's key (default $IMGFLO_API_KEY)
  --secret S         the app's secret (default $IMGFLO_API_SECRET)
  --hmac             sign with HMAC-SHA256 instead of md5
  --expires N|@UNIX  add _expires: N seconds from now, or the Unix time UNIX
                     (covered by the token; the server refuses the URL after it)
  --open             GET the URL (redirects not followed) and print the
                     result's Location; exit 1 with the server's JSON error
                     when the answer is not a redirect
  --timeout SECONDS  for --open (default 60)
  --help             this text

example:
  imgflo-url --key K --secret S gradientmap.png input=files/gridbear.jpg color1=#0A2A2F
)";

struct Options {
  std::string server;
  std::string key;
  std::string secret;
  bool hmac = false;
  std::optional<std::string> expires;
  bool open = false;
  long timeout_seconds = 60;
  std::string graphspec;
  request::Params params;
};

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// A whole decimal number in [0, 2^53], or nullopt.
std::optional<int64_t> whole_number(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v <= (int64_t{1} << 53) ? std::optional<int64_t>(v) : std::nullopt;
}

// The _expires value of --expires N (seconds from now) or @UNIX.
std::optional<std::string> expires_value(std::string_view arg) {
  const bool absolute = arg.starts_with('@');
  const auto n = whole_number(absolute ? arg.substr(1) : arg);
  if (!n) return std::nullopt;
  if (absolute) return std::to_string(*n);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return std::to_string(now + *n);
}

// Characters a graph spec or key may hold: they go into the path as they are.
bool path_safe(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Returns an error message for bad usage, or "" when parsed.
std::string parse_args(int argc, char** argv, Options& o) {
  o.server = env_or("IMGFLO_SERVER", "http://localhost:8080");
  o.key = env_or("IMGFLO_API_KEY", "");
  o.secret = env_or("IMGFLO_API_SECRET", "");
  bool positional_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (!positional_only && a.starts_with("--")) {
      if (a == "--") {
        positional_only = true;
      } else if (a == "--hmac") {
        o.hmac = true;
      } else if (a == "--open") {
        o.open = true;
      } else if (a == "--server" || a == "--key" || a == "--secret" || a == "--expires" || a == "--timeout") {
        if (!value(v)) return a + " needs a value";
        if (a == "--server") o.server = v;
        if (a == "--key") o.key = v;
        if (a == "--secret") o.secret = v;
        if (a == "--expires" && !(o.expires = expires_value(v))) return "--expires takes N (seconds) or @UNIX";
        if (a == "--timeout") {
          const auto t = whole_number(v);
          if (!t || *t < 1 || *t > 86'400) return "--timeout takes 1 to 86400 seconds";
          o.timeout_seconds = static_cast<long>(*t);
        }
      } else {
        return "unknown option " + a;
      }
    } else if (o.graphspec.empty()) {
      if (!path_safe(a)) return "GRAPH[.ext] may hold only A-Z a-z 0-9 . - _";
      o.graphspec = a;
    } else {
      const size_t eq = a.find('=');
      if (eq == std::string::npos || eq == 0) return "parameters are name=value, got \"" + a + "\"";
      o.params.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    }
  }
  if (o.graphspec.empty()) return "no GRAPH given";
  if (o.key.empty() != o.secret.empty()) return "a key needs a secret and a secret a key";
  if (o.hmac && o.key.empty()) return "--hmac needs a key and a secret";
  if (!o.key.empty() && !path_safe(o.key)) return "the key may hold only A-Z a-z 0-9 . - _";
  if (o.expires) o.params.emplace_back("_expires", *o.expires);
  return "";
}

// GETs `url`: prints the redirect's Location (0), or the error body (1).
int open_url(const std::string& url, long timeout_seconds) {
  auto answer = imgflo::app::get_without_redirects(url, std::chrono::seconds(timeout_seconds));
  if (!answer.ok()) {
    std::cerr << "imgflo-url: " << answer.error().message() << "\n";
    return 1;
  }
  if (answer->status >= 300 && answer->status < 400 && !answer->location.empty()) {
    std::cout << answer->location << "\n";
    return 0;
  }
  std::cout << answer->body << (answer->body.ends_with('\n') ? "" : "\n");
  std::cerr << "imgflo-url: HTTP " << answer->status << "\n";
  return 1;
}

int run(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      std::cout << kUsage;
      return 0;
    }
  }
  Options o;
  if (const std::string problem = parse_args(argc, argv, o); !problem.empty()) {
    std::cerr << "imgflo-url: " << problem << "\n" << kUsage;
    return 2;
  }
  std::optional<request::Credentials> credentials;
  if (!o.key.empty()) credentials = request::Credentials{o.key, o.secret, o.hmac};
  const std::string url = request::graph_url(o.server, o.graphspec, o.params, credentials);
  if (!o.open) {
    std::cout << url << "\n";
    return 0;
  }
  return open_url(url, o.timeout_seconds);
}

}  // namespace

int main(int argc, char** argv) {
  return imgflo::app::guarded_main("imgflo-url", [&] { return run(argc, argv); });
}
