// Opens the applications database DATABASE_URL names (apps/database_url.h):
// SQLite (apps/sqlite_app_store.h) or PostgreSQL (apps/postgres_app_store.h),
// migrated to the current schema.
#pragma once

#include "apps/app_store.h"
#include "apps/database_url.h"
#include "apps/sqlite_app_store.h"

#include <functional>
#include <memory>
#include <string>

namespace imgflo::apps {

// kInvalidArgument for a malformed URL; kUnavailable when the database cannot
// be reached or migrated (messages carry the redacted URL, never a password).
// `create` applies to SQLite only (a PostgreSQL database must exist).
Result<std::unique_ptr<AppStore>> open_app_store(const std::string& url,
                                                 CreateDatabase create = CreateDatabase::kIfMissing);

using AppStoreOpener = std::function<Result<std::unique_ptr<AppStore>>()>;

// The opener a long-running program hands its AppWatcher: its first call
// creates a missing SQLite file (with the schema), later calls (reconnecting)
// never do, so a database file removed under a running frontend reads as a
// lost database (stale apps, /ready says so), not as an empty one that
// would drop every app. Not thread-safe (the watcher calls it from one thread
// at a time).
AppStoreOpener app_store_opener(std::string url);

}  // namespace imgflo::apps
