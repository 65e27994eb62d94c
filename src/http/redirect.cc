#include "http/redirect.h"

namespace imgflo::http {

namespace {

void vary(HttpResponse& r, bool vary_accept) {
  if (vary_accept) r.header("Vary", "Accept");
}

}  // namespace

HttpResponse stored_redirect(const std::string& location, std::chrono::seconds max_age, bool vary_accept) {
  HttpResponse r = HttpResponse::redirect(301, location);
  r.header("Cache-Control", max_age.count() > 0 ? "public, max-age=" + std::to_string(max_age.count()) : "no-cache");
  vary(r, vary_accept);
  return r;
}

HttpResponse future_redirect(const std::string& location, bool vary_accept) {
  HttpResponse r = HttpResponse::redirect(202, location);
  vary(r, vary_accept);
  return r;
}

std::string serialize_redirect(const HttpResponse& redirect) {
  std::string out = "HTTP/1.1 301 Moved Permanently\r\nServer: imgflo-server\r\n";
  for (const auto& [name, value] : redirect.headers) out.append(name).append(": ").append(value).append("\r\n");
  out.append("Content-Length: 0\r\n\r\n");
  return out;
}

}  // namespace imgflo::http
