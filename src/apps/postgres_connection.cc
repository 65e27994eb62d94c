#include "apps/postgres_connection.h"

#include "core/query.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace imgflo::apps {

// Helpers of this file (a named namespace: the sources of a target are compiled in unity batches).
namespace pg_wire {
namespace {

using Clock = std::chrono::steady_clock;

// Longest server message kept in an error (the rest is cut).
constexpr size_t kMaxMessageBytes = 512;

// libpq's multi-line messages on one line, the password (if it ever appears) masked.
std::string one_line(std::string_view text, const std::string& password) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += "; ";
    } else if (c == '\t' || c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  if (!password.empty()) {
    for (size_t at = out.find(password); at != std::string::npos; at = out.find(password, at)) {
      out.replace(at, password.size(), "***");
    }
  }
  if (out.size() > kMaxMessageBytes) out.resize(kMaxMessageBytes);
  return out;
}

bool env_flag_set(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return false;
  const std::string_view s(v);
  return !s.empty() && s != "0" && s != "false";
}

// The server's notices (e.g. "relation already exists, skipping") go to our log, not stderr.
void log_notice(void* /*arg*/, const char* message) {
  spdlog::debug("PostgreSQL: {}", one_line(message, ""));
}

// Keyword/value pairs for PQconnectdbParams; later pairs override earlier ones.
class ConnectParams {
 public:
  void add(std::string key, std::string value) { pairs_.emplace_back(std::move(key), std::move(value)); }
  // NULL-terminated arrays pointing into pairs_ (valid while this object lives, unchanged).
  std::pair<std::vector<const char*>, std::vector<const char*>> arrays() const {
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : pairs_) {
      keys.push_back(k.c_str());
      values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    return {std::move(keys), std::move(values)};
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

ConnectParams connect_params(const DatabaseUrl& url, const PostgresOptions& options) {
  ConnectParams p;
  if (!url.host.empty()) p.add("host", url.host);
  p.add("port", std::to_string(url.port));
  if (!url.user.empty()) p.add("user", url.user);
  if (!url.password.empty()) p.add("password", url.password);
  if (!url.database.empty()) p.add("dbname", url.database);
  p.add("sslmode", options.tls ? "require" : "disable");
  p.add("connect_timeout", std::to_string(std::max<int64_t>(options.connect_timeout.count(), 1)));
  p.add("application_name", "imgflo-server");
  p.add("client_encoding", "UTF8");
  p.add("options", "-c statement_timeout=" + std::to_string(options.statement_timeout.count()) +
                       " -c client_min_messages=warning");
  // A silent peer (cable cut, host gone) is noticed within about 20 s, even while only listening.
  p.add("keepalives", "1");
  p.add("keepalives_idle", "10");
  p.add("keepalives_interval", "5");
  p.add("keepalives_count", "2");
  p.add("tcp_user_timeout", "20000");
  for (auto& [key, value] : parse_query(url.options)) p.add(key, value);
  return p;
}

std::string describe_url(const DatabaseUrl& url) {
  return (url.user.empty() ? "" : url.user + "@") + (url.host.empty() ? "localhost" : url.host) + ":" +
         std::to_string(url.port) + "/" + url.database;
}

ErrorKind kind_of_sqlstate(const char* sqlstate) {
  if (sqlstate != nullptr && (std::strncmp(sqlstate, "22", 2) == 0 || std::strncmp(sqlstate, "23", 2) == 0)) {
    return ErrorKind::kInvalidArgument;
  }
  return ErrorKind::kUnavailable;
}

}  // namespace
}  // namespace pg_wire

PostgresOptions PostgresOptions::from_environment() {
  PostgresOptions o;
  o.tls = !pg_wire::env_flag_set("POSTGRES_NOSSL");
  return o;
}

PostgresRows::PostgresRows(pg_result* result) : result_(result, PQclear) {}
int PostgresRows::count() const { return PQntuples(result_.get()); }
bool PostgresRows::is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
std::string PostgresRows::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::connect(const DatabaseUrl& url,
                                                                        const PostgresOptions& options) {
  const pg_wire::ConnectParams params = pg_wire::connect_params(url, options);
  auto [keys, values] = params.arrays();
  pg_conn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr) return Error(ErrorKind::kUnavailable, "PostgreSQL: out of memory");
  std::unique_ptr<PostgresConnection> c(new PostgresConnection(conn, pg_wire::describe_url(url), url.password));
  if (PQstatus(conn) != CONNECTION_OK) return c->failure("cannot connect");
  PQsetNoticeProcessor(conn, pg_wire::log_notice, nullptr);
  return c;
}

PostgresConnection::PostgresConnection(pg_conn* conn, std::string describe, std::string password)
    : conn_(conn), describe_(std::move(describe)), password_(std::move(password)) {}

PostgresConnection::~PostgresConnection() { PQfinish(conn_); }

Error PostgresConnection::failure(std::string_view what) const {
  return Error(ErrorKind::kUnavailable,
               "PostgreSQL " + describe_ + ": " + std::string(what) + ": " + pg_wire::one_line(PQerrorMessage(conn_), password_));
}

bool PostgresConnection::tls_in_use() const { return PQsslInUse(conn_) == 1; }

Result<PostgresRows> PostgresConnection::execute(std::string_view sql,
                                                  const std::vector<std::optional<std::string>>& params) {
  if (PQstatus(conn_) != CONNECTION_OK) return failure("connection lost");
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  const std::string statement(sql);
  PostgresRows rows(PQexecParams(conn_, statement.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0));
  pg_result* r = rows.raw();
  if (r == nullptr) return failure("no answer");
  const ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return rows;
  if (PQstatus(conn_) != CONNECTION_OK) return failure("connection lost");
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  return Error(pg_wire::kind_of_sqlstate(PQresultErrorField(r, PG_DIAG_SQLSTATE)),
               "PostgreSQL: " + pg_wire::one_line(primary != nullptr ? primary : PQresultErrorMessage(r), password_));
}

Result<bool> PostgresConnection::take_notifications() {
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) return failure("connection lost");
  bool any = false;
  while (pgNotify* n = PQnotifies(conn_)) {
    any = true;
    PQfreemem(n);
  }
  return any;
}

Status PostgresConnection::wait_for_notification(std::chrono::milliseconds timeout) {
  const auto deadline = pg_wire::Clock::now() + timeout;
  for (;;) {
    auto arrived = take_notifications();
    if (!arrived.ok()) return arrived.take_error();
    if (*arrived) return ok_status();
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - pg_wire::Clock::now());
    if (left.count() <= 0) return ok_status();
    pollfd pfd{PQsocket(conn_), POLLIN, 0};
    if (pfd.fd < 0) return failure("connection lost");
    const int n = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
    if (n < 0 && errno != EINTR) return Error(ErrorKind::kUnavailable, "PostgreSQL " + describe_ + ": poll failed");
  }
}

}  // namespace imgflo::apps
