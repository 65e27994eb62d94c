#include "fetch/curl_fetcher.h"

#include "fetch/curl_transfer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace imgflo::fetch {
namespace {

using namespace std::chrono;

// How often a running transfer looks at the CancelToken.
constexpr milliseconds kPollInterval{50};

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// The scheme of an absolute URL, lower-cased ("" when there is none).
std::string scheme_of(const std::string& url) {
  const auto colon = url.find("://");
  if (colon == std::string::npos || colon == 0) return {};
  std::string scheme = url.substr(0, colon);
  for (char& c : scheme) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    if (!ok) return {};
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return std::isalpha(static_cast<unsigned char>(scheme[0])) ? scheme : std::string{};
}

Status check_scheme(const std::string& url) {
  const std::string scheme = scheme_of(url);
  if (scheme == "http" || scheme == "https") return ok_status();
  const std::string what = scheme.empty() ? "not an absolute http(s) URL" : "unsupported URL scheme '" + scheme + "'";
  return Error(ErrorKind::kInvalidArgument, "Cannot download input " + url + ": " + what + " (only http and https)",
               input_details(url));
}

// Runs the transfer on a private multi handle, polling `stop` between waits.
// Returns the transfer's result, or nullopt when `stop` fired first.
std::optional<CURLcode> run_transfer(CURL* easy, const Stop& stop) {
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return CURLE_OUT_OF_MEMORY;
  curl_multi_add_handle(multi, easy);
  std::optional<CURLcode> result = CURLE_FAILED_INIT;
  for (int running = 1;;) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    if (running == 0) {
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued))
        if (msg->msg == CURLMSG_DONE) result = msg->data.result;
      break;
    }
    if (stop.requested()) {
      result = std::nullopt;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(kPollInterval.count()), nullptr);
  }
  curl_multi_remove_handle(multi, easy);
  curl_multi_cleanup(multi);
  return result;
}

Fetched collect(CURL* easy, Transfer& t) {
  Fetched out;
  out.bytes = std::move(t.body);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  out.status = static_cast<int>(status);
  const char* text = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &text) == CURLE_OK && text) out.final_url = text;
  text = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &text) == CURLE_OK && text) out.content_type = text;
  return out;
}

}  // namespace

Status CurlFetcher::init_library() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) return Error(ErrorKind::kInternal, "libcurl failed to initialise");
  return ok_status();
}

CurlFetcher::CurlFetcher(Config config) : config_(std::move(config)) { (void)init_library(); }

Result<Fetched> CurlFetcher::fetch(const std::string& url, const FetchOptions& options, const Stop& stop) {
  if (auto status = check_scheme(url); !status) return status.take_error();
  if (auto stopped = stop.check()) return *stopped;

  EasyPtr easy(curl_easy_init());
  if (!easy) return Error(ErrorKind::kInternal, "cannot start a download");
  SlistPtr pins;
  for (const std::string& pin : config_.resolve) {
    curl_slist* grown = curl_slist_append(pins.get(), pin.c_str());
    if (grown == nullptr) return Error(ErrorKind::kInternal, "cannot start a download");
    (void)pins.release();
    pins.reset(grown);
  }

  // The Stop's deadline bounds the transfer when it comes before the total timeout.
  const auto left = duration_cast<milliseconds>(stop.deadline.remaining());
  const bool deadline_bound = left < options.total_timeout;
  const milliseconds total = std::max(milliseconds{1}, std::min(left, options.total_timeout));

  Transfer t(url, config_.policy, options.max_bytes);
  TransferSetup setup{url, config_.user_agent, config_.proxy, pins.get(), options, total};
  if (!configure(easy.get(), setup, t)) return Error(ErrorKind::kInternal, "cannot configure a download");

  const std::optional<CURLcode> code = run_transfer(easy.get(), stop);
  if (!code) return *stop.check();
  if (*code == CURLE_OPERATION_TIMEDOUT && deadline_bound)
    return Error(ErrorKind::kTimeout, "processing deadline exceeded");  // as Stop::check() says
  if (*code != CURLE_OK) return t.error_for(easy.get(), *code);
  Fetched out = collect(easy.get(), t);
  if (out.status < 200 || out.status > 299) return http_error(url, out.status);
  return out;
}

}  // namespace imgflo::fetch
