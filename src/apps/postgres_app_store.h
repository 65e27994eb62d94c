// The applications database on PostgreSQL (libpq): LISTEN imgflo_apps wakes
// wait_for_change() when the trigger of apps/migrations.h notifies.
//
// HOOK: implemented by helper "postgres" in apps/postgres_app_store.cc. Until
// that file exists, open_app_store() answers PostgreSQL URLs with
// kInvalidArgument "PostgreSQL support not built" (see apps/open_app_store.cc,
// IMGFLO_HAVE_POSTGRES); src/CMakeLists.txt turns the hook on when the source
// is present.
#pragma once

#include "apps/app_store.h"
#include "apps/database_url.h"

#include <memory>

namespace imgflo::apps {

// `url.kind` is kPostgres. TLS is required unless POSTGRES_NOSSL is set (any
// non-empty value except "0" or "false"), as the original. kUnavailable when
// the server cannot be reached or the schema migrated.
Result<std::unique_ptr<AppStore>> open_postgres_app_store(const DatabaseUrl& url);

}  // namespace imgflo::apps
