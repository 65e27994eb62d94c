// Fuzz target "url": request targets as a client sends them.
//
// Input: a request target ("/graph/crop.png?input=...&x=1"), optionally followed by
// "\n<Host header>" and "\n<If-None-Match header>". It goes
//   1. through the pure parsers: percent_decode, percent_decode_strict, parse_query,
//      node_escape, parse_graph_request, check_requested_size, Authenticator::check,
//      and every error value through error_response (never throws, JSON bodies parse);
//   2. through http::Handler::handle with in-process services: the real graph catalogue
//      (graphs/), a memory cache index holding one result, local storage and files in a
//      scratch folder, and a job system that refuses every job (kOverloaded), so nothing
//      is ever fetched or processed. Every request must be answered exactly once, before
//      handle() returns, with a valid response.
// The method (GET, HEAD, POST, PUT) and whether authentication is on depend on the input's
// length, so every seed URL is tried in several ways as the corpus grows.
#include "fuzz_support.h"

#include "app/runtimes.h"
#include "cache/memory_cache_index.h"
#include "core/query.h"
#include "fetch/local_files.h"
#include "request/auth.h"
#include "request/graph_request.h"
#include "http/handler.h"
#include "runtime/catalogue.h"
#include "storage/local_storage.h"

#include <memory>

using namespace imgflo;

namespace {

struct World {
  std::unique_ptr<runtime::Catalogue> catalogue;
  cache::MemoryCacheIndex index;
  std::unique_ptr<storage::LocalStorage> storage;
  std::unique_ptr<fetch::LocalFileFetcher> files;
  fuzz::RefusingJobs jobs;
  request::Authenticator open{{}};
  request::Authenticator closed{{{"fuzzkey", "fuzzsecret", false}, {"fuzzadmin", "adminsecret", true}}};
  fuzz::InlineLoop loop;
  std::unique_ptr<http::Handler> open_handler;    // auth off, hot responses on
  std::unique_ptr<http::Handler> closed_handler;  // auth on, no hot responses
};

World* world = nullptr;

std::unique_ptr<http::Handler> make_handler(World& w, const request::Authenticator& auth, bool hot) {
  http::Services services{*w.catalogue, w.index, *w.storage, w.storage.get(), w.jobs, auth, w.files.get()};
  http::HandlerOptions options;
  options.version_info = R"({"server":"fuzz"})";
  options.hot_ttl = hot ? std::chrono::milliseconds(60'000) : std::chrono::milliseconds(0);
  options.cors.other_routes = *http::parse_cors_origins(hot ? "*" : "https://app.example.com");  // echoes Origins
  return std::make_unique<http::Handler>(services, options, w.loop);
}

void parse_directly(std::string_view target) {
  (void)percent_decode(target, true);
  (void)percent_decode(target, false);
  (void)percent_decode_strict(target);
  (void)parse_query(target);
  (void)request::node_escape(target);
  auto parsed = request::parse_graph_request(target);
  if (!parsed.ok()) return fuzz::check_error(parsed.error());
  for (double megapixels : {25.0, 0.0, 1e-9, 1e12}) {
    if (Status st = request::check_requested_size(*parsed, megapixels); !st.ok()) fuzz::check_error(st.error());
  }
  if (auto app = world->closed.check(*parsed); !app.ok()) fuzz::check_error(app.error());
  if (auto app = world->open.check(*parsed); !app.ok()) fuzz::check_error(app.error());
}

void through_handler(std::string_view input) {
  static const char* const kMethods[] = {"GET", "HEAD", "POST", "PUT"};
  http::HttpRequest req;
  req.method = kMethods[input.size() % 4];
  const size_t nl = input.find('\n');
  req.target = std::string(input.substr(0, nl));
  // /ready answers later, from the readiness thread (tests/unit/readiness_test.cc), not within handle().
  if (req.target.substr(0, req.target.find('?')) == "/ready") return;
  if (nl != std::string_view::npos) {
    std::string_view rest = input.substr(nl + 1);
    const size_t nl2 = rest.find('\n');
    req.host = std::string(rest.substr(0, nl2));
    if (nl2 != std::string_view::npos) req.if_none_match = std::string(rest.substr(nl2 + 1));
  } else {
    req.host = "localhost:8080";
  }
  // The transport (Beast) never delivers CR or LF inside a header value.
  for (std::string* h : {&req.host, &req.if_none_match}) std::erase_if(*h, [](char c) { return c == '\r' || c == '\n'; });
  req.accept = req.if_none_match;  // the third line doubles as Accept (request/negotiate.h)
  req.origin = req.host;           // the second line doubles as Origin (http/cors.h)

  http::Handler& handler = (input.size() / 4) % 2 == 0 ? *world->open_handler : *world->closed_handler;
  if (req.method == "GET") (void)handler.hot_response(req.target, req.accept, req.origin);
  fuzz::handle_once(handler, req);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  fuzz::init((*argv)[0]);
  world = new World();
  auto catalogue = runtime::Catalogue::load(fuzz::source_dir() / "graphs", app::builtin_runtimes());
  if (!catalogue.ok()) fuzz::fail("graph catalogue: " + catalogue.error().message());
  world->catalogue = std::move(*catalogue);
  const auto dir = fuzz::scratch_dir("url");
  auto storage = storage::LocalStorage::open(dir / "cache");
  if (!storage.ok()) fuzz::fail("storage: " + storage.error().message());
  world->storage = std::move(*storage);
  std::filesystem::create_directories(dir / "files");
  std::FILE* f = std::fopen((dir / "files" / "tiny.txt").c_str(), "wb");
  if (f == nullptr) fuzz::fail("cannot write the files folder");
  std::fputs("tiny", f);
  std::fclose(f);
  world->files = std::make_unique<fetch::LocalFileFetcher>(dir / "files");
  // One stored result, reachable as a cache hit and through /cache/KEY.
  const std::string key = request::cache_key("crop", "?input=files/tiny.txt", "png");
  auto location = world->storage->put(key, "not really a png", "image/png");
  if (!location.ok()) fuzz::fail("storage put: " + location.error().message());
  (void)world->index.put(key, *location);
  world->open_handler = make_handler(*world, world->open, true);
  world->closed_handler = make_handler(*world, world->closed, false);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = fuzz::as_text(data, size);
  parse_directly(input);
  through_handler(input);
  return 0;
}
