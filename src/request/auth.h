// Request authentication as the original did it, plus HMAC-SHA256 tokens.
//
// Apps come from configuration (IMGFLO_API_KEY/SECRET: a normal app,
// IMGFLO_ADMIN_KEY/SECRET: an admin app). With no app configured, auth is off
// and every request passes. Once any app exists, requests must use the
// /graph/KEY/TOKEN/... form with
//   TOKEN = md5_hex(graphspec + search + secret)            (the original's)
//   TOKEN = hex(HMAC-SHA256(secret, graphspec + search))    (for new clients)
// compared in constant time; `_nocache=true` needs an admin app.
// Immutable after construction; thread-safe.
#pragma once

#include "core/error.h"
#include "request/graph_request.h"

#include <string>
#include <vector>

namespace imgflo::request {

struct App {
  std::string key;
  std::string secret;
  bool admin = false;
};

class Authenticator {
 public:
  explicit Authenticator(std::vector<App> apps);

  bool enabled() const { return !apps_.empty(); }
  // Ok, or kForbidden with a reason that does not reveal secrets.
  Status check(const GraphRequest& request) const;

  // The tokens a client computes for a request (used by tests and tools).
  static std::string md5_token(const std::string& graphspec, const std::string& search, const std::string& secret);
  static std::string hmac_token(const std::string& graphspec, const std::string& search, const std::string& secret);

 private:
  const App* find(const std::string& key) const;
  std::vector<App> apps_;
};

}  // namespace imgflo::request
