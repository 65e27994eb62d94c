#include "fetch/curl_transfer.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace imgflo::fetch {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_2xx(int status) { return status >= 200 && status <= 299; }
bool is_3xx(int status) { return status >= 300 && status <= 399; }

// A client-safe reason for a libcurl failure (libcurl's own text stays out of
// responses: it may name internal hosts).
std::string_view reason_for(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return "timed out";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE: return "TLS handshake failed";
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR: return "connection closed by the origin";
    case CURLE_BAD_CONTENT_ENCODING: return "undecodable content encoding";
    case CURLE_WEIRD_SERVER_REPLY: return "invalid HTTP response";
    default: return "network error";
  }
}

}  // namespace

std::string loggable_url(const std::string& url) {
  CURLU* parsed = curl_url();
  if (parsed == nullptr) return "(url)";
  std::string shown = "(unparsable url)";
  char* out = nullptr;
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_set(parsed, CURLUPART_USER, nullptr, 0) == CURLUE_OK &&
      curl_url_set(parsed, CURLUPART_PASSWORD, nullptr, 0) == CURLUE_OK &&
      curl_url_set(parsed, CURLUPART_QUERY, nullptr, 0) == CURLUE_OK &&
      curl_url_set(parsed, CURLUPART_FRAGMENT, nullptr, 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_URL, &out, 0) == CURLUE_OK) {
    shown = out;
  }
  curl_free(out);
  curl_url_cleanup(parsed);
  return shown;
}


curl_socket_t Transfer::open_socket(void* user, curlsocktype /*purpose*/, curl_sockaddr* addr) {
  auto& t = *static_cast<Transfer*>(user);
  const std::optional<IpAddress> ip = IpAddress::from_sockaddr(&addr->addr);
  const std::optional<AddressClass> refused = ip ? t.policy_.refusal(*ip) : AddressClass::kReserved;
  if (refused) {
    if (!t.refused_) t.refused_ = refused;
    return CURL_SOCKET_BAD;  // curl tries the next address, or fails with COULDNT_CONNECT
  }
  return ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

void Transfer::start_hop(std::string_view status_line) {
  // "HTTP/1.1 200 OK" or "HTTP/2 200": the code follows the first space.
  hop_status_ = 0;
  hop_encoded_ = false;
  hop_length_.reset();
  const auto space = status_line.find(' ');
  if (space == std::string_view::npos) return;
  const auto code = status_line.substr(space + 1, 3);
  std::from_chars(code.data(), code.data() + code.size(), hop_status_);
}

void Transfer::note_header(std::string_view line) {
  if (starts_with_nocase(line, "content-encoding:")) {
    const auto value = trim(line.substr(17));
    hop_encoded_ = !value.empty() && !starts_with_nocase(value, "identity");
  } else if (starts_with_nocase(line, "content-length:")) {
    const auto value = trim(line.substr(15));
    unsigned long long n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc() && end == value.data() + value.size()) hop_length_ = n;
  }
}

bool Transfer::headers_acceptable() {
  if (is_3xx(hop_status_) || hop_status_ < 200) return true;  // redirect or interim: curl goes on
  if (!is_2xx(hop_status_)) {
    bad_status_ = hop_status_;  // no need to read an error page
    return false;
  }
  // A compressed body's length says nothing about the decoded size: counted later.
  if (!hop_encoded_ && hop_length_ && *hop_length_ > max_bytes_) {
    over_limit_ = true;
    return false;
  }
  return true;
}

size_t Transfer::on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    t.start_hop(line);
  } else if (trim(line).empty()) {
    if (!t.headers_acceptable()) return 0;  // aborts with CURLE_WRITE_ERROR
  } else {
    t.note_header(line);
  }
  return n;
}

size_t Transfer::on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (!is_2xx(t.hop_status_)) return n;  // a redirect's body: discarded
  if (n > t.max_bytes_ - t.body.size()) {
    t.over_limit_ = true;
    return 0;
  }
  t.body.append(data, n);
  return n;
}

Error Transfer::too_large() const {
  return Error(ErrorKind::kTooLarge,
               "Input " + src_ + " is larger than the limit of " + std::to_string(max_bytes_) + " bytes",
               input_details(src_));
}

Error Transfer::error_for(CURL* easy, CURLcode code) const {
  if (over_limit_) return too_large();
  if (bad_status_ != 0) return http_error(src_, bad_status_);
  if (refused_ && code == CURLE_COULDNT_CONNECT) {
    // One message for every refused class: the answer must not map the internal network.
    spdlog::info("refused input {}: destination address is {}", loggable_url(src_), address_class_name(*refused_));
    return refused_destination(src_);
  }
  if (code == CURLE_UNSUPPORTED_PROTOCOL)
    return Error(ErrorKind::kForbidden,
                 "Refused to download input " + src_ + ": redirect to a scheme other than http or https",
                 input_details(src_));
  if (code == CURLE_URL_MALFORMAT)
    return Error(ErrorKind::kInvalidArgument, "Cannot download input " + src_ + ": malformed URL",
                 input_details(src_));
  if (code == CURLE_TOO_MANY_REDIRECTS) {
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    return download_failed(src_, "too many redirects", static_cast<int>(status));
  }
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_COULDNT_CONNECT) {
    spdlog::info("input {} unreachable: {}", loggable_url(src_), curl_easy_strerror(code));
    return unreachable_origin(src_);
  }
  return download_failed(src_, std::string(reason_for(code)));
}

bool configure(CURL* easy, const TransferSetup& s, Transfer& t) {
  bool ok = true;
  auto set = [&](CURLoption option, auto value) { ok = ok && curl_easy_setopt(easy, option, value) == CURLE_OK; };
  set(CURLOPT_URL, s.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROXY, s.proxy.c_str());  // "" disables proxies from the environment
  set(CURLOPT_USERAGENT, s.user_agent.c_str());
  set(CURLOPT_ACCEPT_ENCODING, "");  // accept and decode what libcurl supports
  set(CURLOPT_FOLLOWLOCATION, 1L);
  // Clamped: libcurl reads -1 redirects as "unlimited" and a 0 ms connect timeout as its 300 s default.
  set(CURLOPT_MAXREDIRS, static_cast<long>(std::max(0, s.options.max_redirects)));
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::max<long long>(1, s.options.connect_timeout.count())));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(s.total.count()));
  set(CURLOPT_OPENSOCKETFUNCTION, &Transfer::open_socket);
  set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(&t));
  set(CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
  set(CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
  if (s.resolve != nullptr) set(CURLOPT_RESOLVE, s.resolve);
  return ok;
}

}  // namespace imgflo::fetch
