// Internal to CurlFetcher: the state of one libcurl transfer, its callbacks
// (SSRF check on each socket, Content-Length and streaming byte limits) and
// the mapping of libcurl results to imgflo errors. One Transfer per fetch()
// call, used by one thread; not part of the public fetch/ interface.
#pragma once

#include "fetch/address_policy.h"
#include "fetch/fetcher.h"

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <string>

namespace imgflo::fetch {

// `url` as the log shows it: scheme, host, port and path only. User info,
// query and fragment may carry credentials (basic auth, presigned
// signatures); "(unparsable url)" when libcurl cannot parse it.
std::string loggable_url(const std::string& url);

class Transfer {
 public:
  Transfer(const std::string& src, const AddressPolicy& policy, std::size_t max_bytes)
      : src_(src), policy_(policy), max_bytes_(max_bytes) {}
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // The error for a failed transfer (code != CURLE_OK), using what the
  // callbacks observed (refused address, size limit, upstream status).
  Error error_for(CURL* easy, CURLcode code) const;

  std::string body;  // received bytes of the final (2xx) response

  // libcurl callbacks; `user` is the Transfer.
  static curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* addr);
  static size_t on_header(char* data, size_t size, size_t count, void* user);
  static size_t on_body(char* data, size_t size, size_t count, void* user);

 private:
  void start_hop(std::string_view status_line);
  void note_header(std::string_view line);
  bool headers_acceptable();  // false aborts the transfer
  Error too_large() const;

  const std::string& src_;
  const AddressPolicy& policy_;
  const std::size_t max_bytes_;

  // What the callbacks saw. hop_* describe the response being received.
  std::optional<AddressClass> refused_;  // first refused address class
  bool over_limit_ = false;
  int bad_status_ = 0;  // a non-2xx, non-redirect status whose body was refused
  int hop_status_ = 0;
  bool hop_encoded_ = false;
  std::optional<unsigned long long> hop_length_;
};

// Everything configure() needs besides the Transfer.
struct TransferSetup {
  const std::string& url;
  const std::string& user_agent;
  const std::string& proxy;
  curl_slist* resolve;
  const FetchOptions& options;
  std::chrono::milliseconds total;
};

// Sets every option of the transfer on `easy`; false if libcurl refuses one.
bool configure(CURL* easy, const TransferSetup& setup, Transfer& t);

}  // namespace imgflo::fetch
