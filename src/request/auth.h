// Request authentication as the original did it, plus HMAC-SHA256 tokens,
// live app changes, key rotation and expiring URLs.
//
// Apps come from configuration (IMGFLO_API_KEY/SECRET: a normal app,
// IMGFLO_ADMIN_KEY/SECRET: an admin app) and the applications database
// (apps/app_store.h), merged by the caller, which hands every new list to
// replace(). Auth is on as soon as any app exists (enabled or not, as the
// original); once on, it stays on for the life of the Authenticator (an
// emptied list does not open the server; a restart does). With auth on,
// requests must use the /graph/KEY/TOKEN/... form with
//   TOKEN = md5_hex(graphspec + search + secret)            (the original's)
//   TOKEN = hex(HMAC-SHA256(secret, graphspec + search))    (for new clients)
// compared in constant time, where `search` is the raw "?query" (so the
// token covers every parameter, `_expires` included). After a rotation the
// previous secret is accepted too until its expiry. A disabled app gets 403,
// `_nocache=true` needs an admin app.
//
// A URL with `_expires=UNIX_SECONDS` is refused (403 "expired") from that
// second on, with auth on or off: a URL that says it expires, expires.
//
// What check() does not decide: the processing quota (the handler applies
// AuthorizedApp::quota at a cache miss: <= 0 means cached results only).
//
// Thread-safety: check(), enabled() and generation() may run on any thread
// concurrently with replace(); each check() sees one whole snapshot (an
// immutable hash map by key, swapped atomically).
#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "request/graph_request.h"

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace imgflo::request {

// A processing quota without limit (the env admin app).
inline constexpr int64_t kUnlimitedQuota = std::numeric_limits<int64_t>::max();

struct App {
  std::string key;
  std::string secret;
  bool admin = false;
  // Processed images per rolling 24 h; <= 0: cached results only.
  int64_t processing_quota = kUnlimitedQuota;
  bool enabled = true;
  // The secret before the last rotation, accepted until
  // previous_secret_expires_at (Unix seconds; "" / 0: none).
  std::string previous_secret;
  int64_t previous_secret_expires_at = 0;
  std::string label;  // for logs
};

// Who a request is authorized as, and for how long the answer holds.
struct AuthorizedApp {
  std::string key;                  // "" when auth is off
  int64_t quota = kUnlimitedQuota;  // the app's processing_quota (unlimited when auth is off)
  bool admin = false;
  bool auth_off = false;  // no app configured: every request passes
  // The apps snapshot that decided (Authenticator::generation()): an answer
  // remembered for later must be forgotten when the generation changes.
  uint64_t generation = 0;
  // Unix seconds from which this decision no longer holds (the URL's
  // _expires, the end of a previous secret's grace); 0 = no such limit.
  int64_t valid_until = 0;
};

class Authenticator {
 public:
  // `clock` (wall time for _expires and rotation grace) must outlive this.
  explicit Authenticator(std::vector<App> apps, const ClockSource& clock = system_clock());
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Swaps in a new list of apps (a key listed twice: the first wins) and
  // changes generation(). Safe while other threads call check().
  void replace(std::vector<App> apps);

  // Whether requests must be signed (some app exists or existed).
  bool enabled() const;
  // Changes on every replace(); one relaxed atomic load (the hot path reads it per request).
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }
  // The number of apps in the current snapshot.
  size_t size() const;

  // The app a request is authorized as; kForbidden with a reason that does
  // not reveal secrets (unsigned, unknown key, invalid token, disabled,
  // _nocache without admin, "expired").
  Result<AuthorizedApp> check(const GraphRequest& request) const;

  // The tokens a client computes for a request (used by tests and tools).
  static std::string md5_token(const std::string& graphspec, const std::string& search, const std::string& secret);
  static std::string hmac_token(const std::string& graphspec, const std::string& search, const std::string& secret);

 private:
  struct Snapshot {
    std::unordered_map<std::string, App> apps;  // by key
    bool auth_on = false;
    uint64_t generation = 0;
  };
  std::shared_ptr<const Snapshot> snapshot() const;
  // Whether `token` signs `r` with `app`'s current or (still valid) previous
  // secret; narrows `valid_until` to the previous secret's end when that one matched.
  bool signed_by(const App& app, const GraphRequest& r, int64_t now, int64_t& valid_until) const;

  const ClockSource& clock_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::atomic<uint64_t> generation_{0};
  std::mutex replace_mu_;  // serialises replace() (readers never take it)
};

}  // namespace imgflo::request
