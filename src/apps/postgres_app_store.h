// The applications database on PostgreSQL (libpq, apps/postgres_connection.h).
//
// Opening connects (TLS required unless POSTGRES_NOSSL, as the original;
// bounded connect and statement timeouts), LISTENs on the channel
// imgflo_apps, then applies the migrations of apps/migrations.h in one
// transaction under an advisory lock (so frontends starting at once migrate
// exactly once). Every statement is parameterised.
//
// wait_for_change() sleeps on the connection's socket until the trigger's
// pg_notify('imgflo_apps', ...) arrives (a write from any client, committed)
// or the timeout passes. A lost connection (server restart, a killed backend,
// a network failure) makes every call kUnavailable; this store does not
// reconnect: the owner opens a new one (apps/app_watcher.h does, with backoff).
// Thread-safety: one thread at a time, as every AppStore.
#pragma once

#include "apps/app_store.h"
#include "apps/database_url.h"
#include "apps/postgres_connection.h"

#include <memory>

namespace imgflo::apps {

// `url.kind` is kPostgres; the database must exist (its tables are created).
// kUnavailable when the server cannot be reached, refuses the login, or the
// schema cannot be migrated (messages name user@host:port/db, never the password).
Result<std::unique_ptr<AppStore>> open_postgres_app_store(const DatabaseUrl& url, const PostgresOptions& options);

// The same with PostgresOptions::from_environment() (POSTGRES_NOSSL).
Result<std::unique_ptr<AppStore>> open_postgres_app_store(const DatabaseUrl& url);

}  // namespace imgflo::apps
