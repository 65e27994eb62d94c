// The web UI (issue 15): the playground, the debug page, their static files
// and the small JSON routes they read. Static files come from the repository's
// web/ folder (HandlerOptions::web_dir; "" = core/bundled_dir("web")), read
// from disk on each request through the blocking executor: no build step,
// nothing fetched from elsewhere at run time.
//
// Routes (GET and HEAD only; route() leaves everything else to the handler):
//   /                          the playground (web/index.html) for clients whose Accept
//                              names text/html; others keep the handler's JSON list
//   /ui/NAME                   web/NAME: .html .js .css .svg .png .json .ico files only
//   /ui/catalogue.json         made here: {"graphs": {name: {"output_types", "image_inputs"}},
//                              "auth_required": whether URLs must be signed (read at each request)}
//   /debug/graph/...           the debug page (web/debug.html), the original's /debug/* form
//   /debug/params/graph/...    JSON: the request as the handler reads it (http/debug_info.h)
//   /debug/job/KEY             JSON: the last job this process ran for KEY (http/debug_info.h)
//   /files/                    JSON {"files": [{"name", "type", "bytes"}]}: the bundled
//                              examples (the files/NAME inputs), sorted by name
//   /graph/...?debug=X         302 to /debug/graph/... (http/debug_redirect.h)
//
// Static files: NAME is one path segment of [A-Za-z0-9._-], starting with a
// letter or digit, at most 128 bytes (so no traversal: "..", "%2e", "/" and
// "\" never name a file); the resolved file must be a regular file inside the
// folder (symbolic links are followed, then checked), at most kMaxWebFile
// bytes. Content-Type by extension, a weak validator ETag (size and mtime)
// with 304 on If-None-Match, Cache-Control: no-cache (revalidated each time:
// a changed file shows at once). HTML pages carry a Content-Security-Policy
// that lets them run only their own scripts and styles, and images from
// anywhere (results may live in S3).
//
// Thread-safety: immutable after construction; route() may run on any
// event-loop thread.
#pragma once

#include "fetch/local_files.h"
#include "http/message.h"
#include "jobs/job_metrics.h"
#include "runtime/catalogue.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace imgflo::http {

inline constexpr uint64_t kMaxWebFile = uint64_t{4} << 20;
inline constexpr size_t kMaxListedFiles = 1000;

struct WebUiParts {
  std::filesystem::path dir;                   // the web/ folder
  const runtime::Catalogue& catalogue;
  const fetch::LocalFileFetcher* files;        // listed at /files/; null = an empty list
  const jobs::JobMetrics* job_metrics;         // /debug/job/KEY; null = always 404
  double size_limit_megapixels;                // the 422 rule, as the handler applies it
  std::function<bool()> auth_required;         // whether processing URLs must be signed now
};

// Runs `work` off the event loop (the handler's blocking executor); an
// exception in it answers 500.
using BlockingRunner = std::function<void(Respond, std::function<void(Respond&)>)>;

class WebUi {
 public:
  WebUi(WebUiParts parts, BlockingRunner blocking);

  // Answers `request` (true) when it is one of the routes above; otherwise
  // `respond` is left untouched (false).
  bool route(const HttpRequest& request, Respond& respond);

 private:
  void serve(std::string name, const HttpRequest& request, Respond& respond);

  WebUiParts parts_;
  BlockingRunner blocking_;
  std::string graphs_json_;  // the "graphs" member of /ui/catalogue.json, built once
};

// The answer for web/NAME under `root` (blocking: reads the disk), as above.
HttpResponse static_file(const std::filesystem::path& root, std::string_view name, std::string_view if_none_match);

// The /files/ answer for the folder `root` (blocking), as above; a missing folder lists nothing.
HttpResponse file_listing(const std::filesystem::path& root);

// Whether an Accept header asks for an HTML page (names text/html).
bool accepts_html(std::string_view accept);

}  // namespace imgflo::http
