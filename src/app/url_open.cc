#include "app/url_open.h"

#include "core/text.h"

#include <curl/curl.h>

#include <algorithm>

#include <memory>
#include <mutex>
#include <string_view>

namespace imgflo::app {

namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<HttpAnswer*>(user);
  const size_t n = size * count;
  const size_t room = kMaxBody - std::min(kMaxBody, answer->body.size());
  answer->body.append(data, std::min(n, room));
  return n;  // the rest is dropped, not an error
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<HttpAnswer*>(user);
  const std::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos && ascii_lower(line.substr(0, colon)) == "location") {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    answer->location = std::string(value);
  }
  return size * count;
}

}  // namespace

Result<HttpAnswer> get_without_redirects(const std::string& url, std::chrono::milliseconds timeout) {
  static std::once_flag once;
  static CURLcode init = CURLE_OK;
  std::call_once(once, [] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK) return Error(ErrorKind::kInternal, "libcurl cannot start");
  std::unique_ptr<CURL, void (*)(CURL*)> easy(curl_easy_init(), curl_easy_cleanup);
  if (!easy) return Error(ErrorKind::kInternal, "libcurl cannot start");
  HttpAnswer answer;
  CURL* e = easy.get();
  const bool set = curl_easy_setopt(e, CURLOPT_URL, url.c_str()) == CURLE_OK &&
                   curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
                   curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
                   curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count())) == CURLE_OK &&
                   curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
                   curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
                   curl_easy_setopt(e, CURLOPT_WRITEDATA, &answer) == CURLE_OK &&
                   curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
                   curl_easy_setopt(e, CURLOPT_HEADERDATA, &answer) == CURLE_OK;
  if (!set) return Error(ErrorKind::kInternal, "libcurl refused an option");
  const CURLcode code = curl_easy_perform(e);
  if (code != CURLE_OK) return Error(ErrorKind::kUnavailable, std::string("request failed: ") + curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  answer.status = static_cast<int>(status);
  // libcurl resolves a relative Location ("/cache/KEY") against the URL, as a browser would.
  char* absolute = nullptr;
  if (curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &absolute) == CURLE_OK && absolute) answer.location = absolute;
  return answer;
}

}  // namespace imgflo::app
