// The seam through which workers get input bytes.
//
// A Fetcher turns an input reference (an http(s) URL, or `files/NAME` for the
// local resource folder) into the bytes of that input. Implementations:
//   CurlFetcher      (fetch/curl_fetcher.h)  http:// and https:// via libcurl
//   LocalFileFetcher (fetch/local_files.h)   files/NAME from a folder on disk
//   InputFetcher     (below)                 routes a reference to one of them
// Tests and the distributed deployment may swap in their own (a fake origin,
// a fault-injecting wrapper) behind the same interface.
//
// Thread-safety: every implementation's fetch() may be called concurrently
// from any number of threads on one shared instance; implementations hold no
// mutable state across calls (configuration is constant after construction).
//
// fetch() blocks the calling thread until the input is complete, has failed,
// or `stop` fires; it never takes longer than the earliest of the options'
// total timeout and the Stop's deadline (plus a small polling slack, below
// 100 ms). Call it from worker threads, never from an event loop.
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace imgflo::fetch {

// Per-call limits. Defaults are the service's defaults; the application may
// override each from its configuration.
struct FetchOptions {
  // Largest accepted body, in bytes (after any Content-Encoding is decoded).
  // Enforced before reading when Content-Length announces more, and again on
  // every received chunk. 64 MiB: a 25 MP 8-bit RGBA PNG is at most ~100 MB
  // uncompressed, and real photos compress far below this.
  std::size_t max_bytes = 64u << 20;
  // Time to establish a TCP (and TLS) connection, per hop.
  std::chrono::milliseconds connect_timeout{5000};
  // Whole transfer, all redirect hops included (the original had a 20 s
  // idle timeout and no total).
  std::chrono::milliseconds total_timeout{20000};
  // Redirects followed before giving up (0 or negative = none followed).
  int max_redirects = 10;
};

struct Fetched {
  std::string bytes;         // the body, exactly as received (decoded if gzip/deflate)
  std::string final_url;     // after redirects; the input reference for local files
  std::string content_type;  // final response's Content-Type, verbatim ("" if absent)
  int status = 0;            // final HTTP status (200 for local files)
};

// Error kinds returned by fetch() (details always hold
// {"files": {"input": {"src": <reference>}}}):
//   kInvalidArgument  the reference is malformed or its scheme is not http/https.
//   kForbidden        refused by policy: the connected address is not allowed
//                     (SSRF guard; the message names the address class, never
//                     the address), a redirect to a non-http(s) scheme, or a
//                     local path escaping the resource folder.
//   kTooLarge         the body exceeds FetchOptions::max_bytes.
//   kDownloadFailed   network error, connect/total timeout, too many redirects,
//                     or a final status outside 2xx. Message
//                     "Failed to download input <src>: <reason>", for HTTP
//                     errors "...: HTTP error <status>"; details then also hold
//                     "upstream_status": <status>. A missing local file is
//                     reported like an HTTP 404, as the original did.
//   kTimeout / kCancelled   `stop` fired (its deadline passed / token raised).
class Fetcher {
 public:
  Fetcher() = default;
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;
  virtual ~Fetcher() = default;

  virtual Result<Fetched> fetch(const std::string& url, const FetchOptions& options, const Stop& stop) = 0;
};

// Routes `files/...` references to a local fetcher and everything else to a
// remote one (which rejects schemes it does not support). Both are borrowed
// and must outlive this object.
class InputFetcher final : public Fetcher {
 public:
  InputFetcher(Fetcher& local, Fetcher& remote) : local_(local), remote_(remote) {}
  Result<Fetched> fetch(const std::string& url, const FetchOptions& options, const Stop& stop) override;

  // True for references served from the resource folder ("files/NAME").
  static bool is_local(const std::string& url);

 private:
  Fetcher& local_;
  Fetcher& remote_;
};

// Helpers shared by the implementations (errors in the documented shape).
nlohmann::json input_details(const std::string& src, int upstream_status = 0);
Error download_failed(const std::string& src, const std::string& reason, int upstream_status = 0);
Error http_error(const std::string& src, int status);  // "...: HTTP error <status>"
// kForbidden for a destination the address policy refused: one message for every
// refused class (private, loopback, link-local, ...) that names neither the
// address nor the host, so answers do not map the network (details carry src).
Error refused_destination(const std::string& src);
// kDownloadFailed when the origin's name did not resolve or it refused the
// connection: one message for both (no hint about internal DNS).
Error unreachable_origin(const std::string& src);

}  // namespace imgflo::fetch
