// The applications database in a SQLite file (the default: IMGFLO_WORKDIR/imgflo.db).
//
// Opening applies the migrations (apps/migrations.h) and sets WAL mode (the
// CLI's writes and the frontends' reads do not block each other) with a
// busy timeout (writers queue for up to kBusyTimeout instead of failing).
// A file this creates is readable by its owner only (0600; SQLite gives the
// -wal and -shm files the same mode), in a folder created if missing.
//
// SQLite has no notifications: wait_for_change() sleeps and callers compare
// change_counter(). Every call first checks that the file at the path is
// still the one opened (SQLITE_FCNTL_HAS_MOVED): a database removed or
// replaced under a running program is kUnavailable, not an old copy served
// forever.
#pragma once

#include "apps/app_store.h"

#include <chrono>
#include <filesystem>
#include <memory>

namespace imgflo::apps {

constexpr std::chrono::milliseconds kBusyTimeout{5000};

enum class CreateDatabase {
  kIfMissing,  // a missing file is created with the schema
  kNever,      // a missing file is kUnavailable (reconnecting to a database that went away)
};

// kUnavailable when the file cannot be opened or migrated (the message names
// the file and SQLite's reason), including "database schema vN is newer".
Result<std::unique_ptr<AppStore>> open_sqlite_app_store(const std::filesystem::path& file,
                                                        CreateDatabase create = CreateDatabase::kIfMissing);

}  // namespace imgflo::apps
