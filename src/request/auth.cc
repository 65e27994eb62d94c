#include "request/auth.h"

#include "core/digest.h"

#include <algorithm>

namespace imgflo::request {

namespace {

Error forbidden(const std::string& why) { return Error(ErrorKind::kForbidden, why); }

bool token_matches(const std::string& token, const GraphRequest& r, const std::string& secret) {
  if (secret.empty()) return false;
  const bool md5_ok = constant_time_equal(token, Authenticator::md5_token(r.graphspec, r.search, secret));
  const bool hmac_ok = constant_time_equal(token, Authenticator::hmac_token(r.graphspec, r.search, secret));
  return md5_ok || hmac_ok;
}

// The earlier of two limits in Unix seconds, 0 meaning none.
int64_t earlier(int64_t a, int64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

}  // namespace

Authenticator::Authenticator(std::vector<App> apps, const ClockSource& clock) : clock_(clock) {
  snapshot_.store(std::make_shared<const Snapshot>());
  replace(std::move(apps));
}

void Authenticator::replace(std::vector<App> apps) {
  std::lock_guard lock(replace_mu_);
  auto next = std::make_shared<Snapshot>();
  next->apps.reserve(apps.size());
  for (auto& app : apps) {
    std::string key = app.key;
    next->apps.try_emplace(std::move(key), std::move(app));
  }
  next->auth_on = snapshot()->auth_on || !next->apps.empty();
  next->generation = generation_.load(std::memory_order_relaxed) + 1;
  const uint64_t generation = next->generation;
  snapshot_.store(std::move(next));
  generation_.store(generation, std::memory_order_release);
}

std::shared_ptr<const Authenticator::Snapshot> Authenticator::snapshot() const { return snapshot_.load(); }

bool Authenticator::enabled() const { return snapshot()->auth_on; }

size_t Authenticator::size() const { return snapshot()->apps.size(); }

std::string Authenticator::md5_token(const std::string& graphspec, const std::string& search,
                                     const std::string& secret) {
  return md5_hex(graphspec + search + secret);
}

std::string Authenticator::hmac_token(const std::string& graphspec, const std::string& search,
                                      const std::string& secret) {
  return hmac_sha256_hex(secret, graphspec + search);
}

bool Authenticator::signed_by(const App& app, const GraphRequest& r, int64_t now, int64_t& valid_until) const {
  if (token_matches(*r.token, r, app.secret)) return true;
  if (now >= app.previous_secret_expires_at || !token_matches(*r.token, r, app.previous_secret)) return false;
  valid_until = earlier(valid_until, app.previous_secret_expires_at);
  return true;
}

Result<AuthorizedApp> Authenticator::check(const GraphRequest& r) const {
  const auto snap = snapshot();
  const int64_t now = clock_.unix_seconds();
  AuthorizedApp out;
  out.generation = snap->generation;
  out.valid_until = r.expires.value_or(0);
  if (!snap->auth_on) {
    if (r.expires && now >= *r.expires) return forbidden("expired");
    out.auth_off = true;
    return out;
  }
  if (!r.apikey || !r.token) return forbidden("authentication required: use /graph/KEY/TOKEN/...");
  auto it = snap->apps.find(*r.apikey);
  if (it == snap->apps.end() || it->second.secret.empty()) return forbidden("unknown API key");
  const App& app = it->second;
  if (!signed_by(app, r, now, out.valid_until)) return forbidden("invalid token");
  // Only a correctly signed request learns that its app is disabled or its URL expired.
  if (!app.enabled) return forbidden("app disabled");
  if (r.expires && now >= *r.expires) return forbidden("expired");
  if (r.nocache && !app.admin) return forbidden("_nocache needs an admin key");
  out.key = app.key;
  out.quota = app.processing_quota;
  out.admin = app.admin;
  return out;
}

}  // namespace imgflo::request
