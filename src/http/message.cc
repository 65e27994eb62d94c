#include "http/message.h"
#include "core/json.h"

namespace imgflo::http {

HttpResponse HttpResponse::json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = dump_json(body);
  r.body += '\n';
  r.header("Content-Type", "application/json");
  return r;
}

HttpResponse HttpResponse::redirect(int status, const std::string& location) {
  HttpResponse r;
  r.status = status;
  r.header("Location", location);
  return r;
}

}  // namespace imgflo::http
