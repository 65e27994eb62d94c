#include "http/message.h"
#include "core/json.h"

namespace imgflo::http {

std::string_view cache_outcome_name(CacheOutcome cache) {
  switch (cache) {
    case CacheOutcome::kHit: return "hit";
    case CacheOutcome::kMiss: return "miss";
    case CacheOutcome::kHot: return "hot";
    case CacheOutcome::kNone: break;
  }
  return "none";
}

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
