#include "storage/s3_http.h"

#include "core/digest.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace imgflo::storage::s3 {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// What the callbacks write into during one transfer.
struct Sink {
  Response& out;
  size_t max_body;
  bool too_large = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& sink = *static_cast<Sink*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    sink.out.headers.clear();  // a new response (after "100 Continue")
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    sink.out.headers[lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& sink = *static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink.out.body.size() + n > sink.max_body) {
    sink.too_large = true;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  sink.out.body.append(data, n);
  return n;
}

// The body of a PUT and how much of it libcurl has read.
struct Upload {
  std::string_view all;
  size_t pos = 0;
};

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto& up = *static_cast<Upload*>(user);
  const size_t n = std::min(up.all.size() - up.pos, size * count);
  std::memcpy(buffer, up.all.data() + up.pos, n);
  up.pos += n;
  return n;
}

// libcurl rewinds when it must send the body again (a reused connection that had closed).
int on_seek(void* user, curl_off_t offset, int origin) {
  auto& up = *static_cast<Upload*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > up.all.size()) return CURL_SEEKFUNC_CANTSEEK;
  up.pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// Appends to an slist; false when libcurl is out of memory.
bool append(SlistPtr& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  (void)list.release();
  list.reset(grown);
  return true;
}

}  // namespace

struct Http::Handle {
  CURL* easy = curl_easy_init();
  ~Handle() {
    if (easy) curl_easy_cleanup(easy);
  }
};

Status init_curl() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) return Error(ErrorKind::kInternal, "libcurl failed to initialise");
  return ok_status();
}

const std::string* Response::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

Http::Http(const S3Config& config) : config_(config), provider_(config.sigv4_provider()) {}
Http::~Http() = default;

const char* Http::method_name(Request::Method m) {
  switch (m) {
    case Request::Method::kGet: return "GET";
    case Request::Method::kPut: return "PUT";
    case Request::Method::kHead: return "HEAD";
  }
  return "?";
}

std::unique_ptr<Http::Handle> Http::take() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto h = std::move(idle_.back());
      idle_.pop_back();
      curl_easy_reset(h->easy);
      return h;
    }
  }
  return std::make_unique<Handle>();
}

void Http::give_back(std::unique_ptr<Handle> h) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(h));
}

std::optional<TransportError> Http::send(const Request& request, Response& out) {
  auto handle = take();
  CURL* easy = handle->easy;
  if (easy == nullptr) return TransportError{"cannot create a libcurl handle"};
  out = Response{};
  Upload upload{request.body};
  Sink sink{out, request.method == Request::Method::kGet ? config_.max_object_bytes : size_t{64} << 10};

  SlistPtr headers;
  bool ok = true;
  for (const std::string& h : request.headers) ok = ok && append(headers, h);
  // S3 wants the payload hash; libcurl 7.88 signs this header but does not add it.
  ok = ok && append(headers, "x-amz-content-sha256: " + sha256_hex(request.body));
  if (!ok) return TransportError{"out of memory building headers"};

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  const bool own_timeout = request.timeout.count() > 0;
  const auto connect_timeout =
      own_timeout ? std::min(request.timeout, config_.connect_timeout) : config_.connect_timeout;
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                   static_cast<long>((own_timeout ? request.timeout : config_.request_timeout).count()));
  curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, provider_.c_str());
  curl_easy_setopt(easy, CURLOPT_USERNAME, config_.access_key_id.c_str());
  curl_easy_setopt(easy, CURLOPT_PASSWORD, config_.secret_access_key.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
  switch (request.method) {
    case Request::Method::kGet: break;
    case Request::Method::kHead: curl_easy_setopt(easy, CURLOPT_NOBODY, 1L); break;
    case Request::Method::kPut:
      curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(easy, CURLOPT_READDATA, &upload);
      curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, on_seek);
      curl_easy_setopt(easy, CURLOPT_SEEKDATA, &upload);
      break;
  }

  const CURLcode code = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &out.status);
  // The handle's options point at locals; it is reset before reuse.
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  give_back(std::move(handle));
  if (code == CURLE_OK) return std::nullopt;
  if (sink.too_large) return TransportError{"answer larger than " + std::to_string(sink.max_body) + " bytes", true};
  return TransportError{errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(code))};
}

XmlError parse_xml_error(std::string_view body) {
  const auto element = [&](std::string_view name) {
    const std::string open = "<" + std::string(name) + ">";
    const std::string close = "</" + std::string(name) + ">";
    const size_t start = body.find(open);
    if (start == std::string_view::npos) return std::string();
    const size_t from = start + open.size();
    const size_t end = body.find(close, from);
    if (end == std::string_view::npos) return std::string();
    return std::string(trim(body.substr(from, std::min<size_t>(end - from, 300))));
  };
  return XmlError{element("Code"), element("Message")};
}

}  // namespace imgflo::storage::s3
