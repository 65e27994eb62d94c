// Fetcher for http:// and https:// inputs, on libcurl.
//
// Per call: one fresh transfer (no connection, DNS or TLS state shared
// between calls), driven by a multi handle that is polled every 50 ms so a
// raised CancelToken stops the transfer promptly. Policy, in order of effect:
//   - scheme: only http and https, on the input and on every redirect
//     (CURLOPT_PROTOCOLS_STR / REDIR_PROTOCOLS_STR);
//   - SSRF guard: every socket curl opens goes through an open-socket hook
//     that asks Config::policy about the resolved address before connect(),
//     so each redirect hop, each happy-eyeballs attempt and DNS rebinding are
//     covered. When Config::proxy is set the hook sees the proxy's address
//     (allow-list it); the proxy then enforces egress policy itself;
//   - time: FetchOptions::connect_timeout per connection; the transfer's
//     total time is min(total_timeout, time left on the Stop's deadline);
//   - size: a 2xx response announcing a Content-Length over max_bytes is
//     refused before its body is read; the received (decoded) body is counted
//     and the transfer aborted as soon as it passes max_bytes;
//   - redirects: followed by curl up to max_redirects, without forwarding
//     credentials to other hosts; no cookies are sent;
//   - environment: no signals (CURLOPT_NOSIGNAL), proxy variables ignored
//     unless Config::proxy is set, a fixed User-Agent.
//
// libcurl initialisation: CurlFetcher::init_library() runs curl_global_init
// once per process (std::call_once); main calls it before starting threads,
// and the constructor calls it again as a safeguard (a no-op then). libcurl is
// never de-initialised (process lifetime).
//
// Thread-safety: fetch() may run concurrently on one instance (see Fetcher).
#pragma once

#include "fetch/address_policy.h"
#include "fetch/fetcher.h"

#include <string>
#include <vector>

namespace imgflo::fetch {

class CurlFetcher final : public Fetcher {
 public:
  struct Config {
    // Which connected addresses are allowed (default: public only).
    AddressPolicy policy;
    std::string user_agent = "imgflo-server/0.1";
    // Egress proxy URL ("http://proxy:3128"); empty = connect directly and
    // ignore http_proxy/https_proxy/all_proxy from the environment.
    std::string proxy;
    // Host pins in curl's --resolve form "HOST:PORT:ADDRESS", applied before
    // DNS (tests use them to give a name to a local origin; the SSRF guard
    // still judges ADDRESS).
    std::vector<std::string> resolve;
  };

  explicit CurlFetcher(Config config);

  Result<Fetched> fetch(const std::string& url, const FetchOptions& options, const Stop& stop) override;

  // curl_global_init, once per process; kInternal if libcurl cannot start.
  static Status init_library();

 private:
  const Config config_;  // constant after construction
};

}  // namespace imgflo::fetch
