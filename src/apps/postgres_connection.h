// One libpq connection to PostgreSQL, for the applications database: connect
// with bounded timeouts, parameterised statements, and LISTEN notifications.
// Only apps/postgres_app_store.cc uses it; nothing else sees libpq.
//
// Connection settings (PostgresOptions): TLS required (sslmode=require) unless
// POSTGRES_NOSSL is set (as the original), a connect timeout, a server-side
// statement_timeout for every statement, TCP keepalives and tcp_user_timeout
// so a dead peer is noticed even while only listening. Libpq options given in
// the URL's query string (e.g. ?sslmode=verify-full&sslrootcert=/ca.pem)
// override these defaults.
//
// Errors: kUnavailable when the server cannot be reached, refuses the login,
// the connection is lost, or a statement fails on the server's side (the
// message is the server's, prefixed with "PostgreSQL: "); kInvalidArgument for
// the server's data and constraint errors (SQLSTATE classes 22 and 23). No
// message ever contains the password.
// Thread-safety: one thread at a time (a libpq connection is not shareable).
#pragma once

#include "apps/database_url.h"
#include "core/error.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace imgflo::apps {

struct PostgresOptions {
  // false: sslmode=disable (POSTGRES_NOSSL); true: sslmode=require (encrypted,
  // the server's certificate not verified; verify-full can be asked for in the URL).
  bool tls = true;
  std::chrono::seconds connect_timeout{5};  // libpq counts whole seconds, at least 2
  // Server-side bound on every statement (and on waiting for the migration lock).
  std::chrono::milliseconds statement_timeout{5000};

  // The defaults, with tls = false when POSTGRES_NOSSL is set to anything but
  // "", "0" or "false".
  static PostgresOptions from_environment();
};

// The rows of one statement's answer (text format).
class PostgresRows {
 public:
  explicit PostgresRows(pg_result* result);
  int count() const;
  bool is_null(int row, int column) const;
  // The column's text ("" for NULL).
  std::string text(int row, int column) const;

 private:
  friend class PostgresConnection;
  pg_result* raw() const { return result_.get(); }
  std::shared_ptr<pg_result> result_;
};

class PostgresConnection {
 public:
  // Connects; kUnavailable naming the server (user@host:port/db) and why.
  static Result<std::unique_ptr<PostgresConnection>> connect(const DatabaseUrl& url, const PostgresOptions& options);
  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs one statement with text parameters $1, $2, ... (nullopt = NULL),
  // never splicing values into the SQL.
  Result<PostgresRows> execute(std::string_view sql, const std::vector<std::optional<std::string>>& params = {});

  // Returns once a notification (of any channel this connection LISTENs to)
  // has arrived, or when `timeout` has passed without one (ok either way);
  // kUnavailable when the connection is lost meanwhile.
  Status wait_for_notification(std::chrono::milliseconds timeout);

  // Whether the session is encrypted (TLS).
  bool tls_in_use() const;
  // "user@host:port/db", for messages (no password).
  const std::string& describe() const { return describe_; }

 private:
  PostgresConnection(pg_conn* conn, std::string describe, std::string password);
  Error failure(std::string_view what) const;
  // Reads what the server sent; true if any notification was pending (all are consumed).
  Result<bool> take_notifications();

  pg_conn* conn_;
  std::string describe_;
  std::string password_;  // only to scrub it from messages
};

}  // namespace imgflo::apps
