// The applications database: API clients (key, secret, owner, quota), as the
// original kept them in its `applications` table, plus what live changes,
// key rotation and admin apps need.
//
// One interface, two stores (apps/sqlite_app_store.h, apps/postgres_app_store.h),
// opened from DATABASE_URL by open_app_store() (apps/open_app_store.h). Both
// apply the versioned migrations (apps/migrations.h) when opened, so a new or
// old database is brought to the current schema at start-up.
//
// Every write bumps a change counter in the same transaction (a trigger, so
// writes from any client count); readers notice changes through
// change_counter() (SQLite: polled) or wait_for_change() (PostgreSQL:
// LISTEN/NOTIFY, plus the counter). The frontends reload the whole table on
// a change (apps/app_watcher.h).
//
// Errors: kInvalidArgument for bad input (an empty label, a malformed email,
// a negative quota), kNotFound for an unknown key, kUnavailable when the
// database cannot be reached (the message says why; never a password).
// Thread-safety: an AppStore may be used from one thread at a time; users that
// share one serialise their calls (the watcher owns its own).
#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace imgflo::apps {

// One row of `applications`. Times are Unix seconds (UTC).
struct AppRecord {
  std::string key;          // 15 lowercase hex characters (the original's format)
  std::string secret;       // 15 lowercase hex characters
  std::string label;
  std::string owner_email;
  int64_t processing_quota = 1;  // processed images per rolling 24 h; <= 0: cached results only
  bool enabled = true;
  bool admin = false;  // may use _nocache
  // Key rotation: the secret before the last rotate(), still accepted until
  // previous_secret_expires_at (0 = no previous secret).
  std::string previous_secret;
  int64_t previous_secret_expires_at = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct NewApp {
  std::string owner_email;
  std::string label;
  int64_t processing_quota = 1;  // the original's default
  bool admin = false;
};

class AppStore {
 public:
  virtual ~AppStore() = default;

  // Creates an enabled app with a fresh random key and secret (15 hex chars
  // each, from a CSPRNG) and returns it.
  virtual Result<AppRecord> add(const NewApp& app) = 0;
  // Every app, ordered by created_at then key.
  virtual Result<std::vector<AppRecord>> list() = 0;
  virtual Result<AppRecord> find(const std::string& key) = 0;
  virtual Result<AppRecord> set_enabled(const std::string& key, bool enabled) = 0;
  virtual Result<AppRecord> set_quota(const std::string& key, int64_t quota) = 0;
  // A new secret; the old one stays valid for `grace` (0 = not at all).
  virtual Result<AppRecord> rotate(const std::string& key, std::chrono::seconds grace) = 0;
  virtual Status remove(const std::string& key) = 0;

  // A number that changes whenever any app changes (any client's write).
  virtual Result<int64_t> change_counter() = 0;
  // Returns when the apps may have changed or after about `timeout`, whichever
  // comes first (a store without notifications just sleeps; callers compare
  // change_counter()). kUnavailable when the connection is lost.
  virtual Status wait_for_change(std::chrono::milliseconds timeout) = 0;
  // Whether the database answers (for /ready).
  virtual Status ping() = 0;
  // "sqlite" or "postgres".
  virtual std::string_view kind() const = 0;
};

}  // namespace imgflo::apps
