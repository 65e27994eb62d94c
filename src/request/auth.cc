#include "request/auth.h"

#include "core/digest.h"

namespace imgflo::request {

namespace {

Error forbidden(const std::string& why) { return Error(ErrorKind::kForbidden, why); }

}  // namespace

Authenticator::Authenticator(std::vector<App> apps) : apps_(std::move(apps)) {}

const App* Authenticator::find(const std::string& key) const {
  for (const auto& app : apps_) {
    if (constant_time_equal(app.key, key)) return &app;
  }
  return nullptr;
}

std::string Authenticator::md5_token(const std::string& graphspec, const std::string& search,
                                     const std::string& secret) {
  return md5_hex(graphspec + search + secret);
}

std::string Authenticator::hmac_token(const std::string& graphspec, const std::string& search,
                                      const std::string& secret) {
  return hmac_sha256_hex(secret, graphspec + search);
}

Status Authenticator::check(const GraphRequest& r) const {
  if (!enabled()) return ok_status();
  if (!r.apikey || !r.token) return forbidden("authentication required: use /graph/KEY/TOKEN/...");
  const App* app = find(*r.apikey);
  if (!app || app->secret.empty()) return forbidden("unknown API key");
  if (r.nocache && !app->admin) return forbidden("_nocache needs an admin key");
  const bool md5_ok = constant_time_equal(*r.token, md5_token(r.graphspec, r.search, app->secret));
  const bool hmac_ok = constant_time_equal(*r.token, hmac_token(r.graphspec, r.search, app->secret));
  if (!md5_ok && !hmac_ok) return forbidden("invalid token");
  return ok_status();
}

}  // namespace imgflo::request
