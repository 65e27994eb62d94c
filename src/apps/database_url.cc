#include "apps/database_url.h"

#include "core/query.h"

#include <charconv>

namespace imgflo::apps {

namespace {

// Longest DATABASE_URL accepted (a path or a conninfo, not a document).
constexpr size_t kMaxUrlBytes = 4096;

Error bad(std::string_view why) { return Error(ErrorKind::kInvalidArgument, "DATABASE_URL: " + std::string(why)); }

Result<std::string> decoded(std::string_view s, std::string_view part) {
  auto d = percent_decode_strict(s);
  if (!d) return bad("bad percent-escape in the " + std::string(part));
  return std::move(*d);
}

Result<DatabaseUrl> parse_sqlite(std::string_view rest) {
  if (rest.empty()) return bad("sqlite:// needs a file path (sqlite:///abs/path or sqlite://relative/path)");
  if (rest.find('\0') != std::string_view::npos) return bad("NUL byte in the file path");
  DatabaseUrl u;
  u.kind = DatabaseUrl::Kind::kSqlite;
  u.path = std::string(rest);
  return u;
}

// "[user[:password]@]host[:port]" into u.
Status parse_authority(std::string_view authority, DatabaseUrl& u) {
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    auto user = decoded(userinfo.substr(0, colon), "user name");
    if (!user.ok()) return user.take_error();
    u.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = decoded(userinfo.substr(colon + 1), "password");
      if (!password.ok()) return password.take_error();
      u.password = std::move(*password);
    }
  }
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated [IPv6] host");
    u.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority.front() != ':') return bad("junk after the [IPv6] host");
    has_port = !authority.empty();
    port = has_port ? authority.substr(1) : "";
  } else {
    const size_t colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    has_port = colon != std::string_view::npos;
    port = has_port ? authority.substr(colon + 1) : "";
  }
  if (has_port) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("bad port");
    }
    u.port = static_cast<uint16_t>(value);
  }
  return ok_status();
}

Result<DatabaseUrl> parse_postgres(std::string_view rest) {
  DatabaseUrl u;
  u.kind = DatabaseUrl::Kind::kPostgres;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    u.options = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  const size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    auto db = decoded(rest.substr(slash + 1), "database name");
    if (!db.ok()) return db.take_error();
    u.database = std::move(*db);
  }
  if (auto st = parse_authority(rest.substr(0, slash), u); !st.ok()) return st.take_error();
  return u;
}

}  // namespace

std::string DatabaseUrl::redacted() const {
  if (kind == Kind::kSqlite) return "sqlite://" + path.string();
  std::string out = "postgres://";
  if (!user.empty() || !password.empty()) out += user + (password.empty() ? "" : ":***") + "@";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ":" + std::to_string(port) + "/" + database;
  return out;
}

Result<DatabaseUrl> parse_database_url(std::string_view url) {
  if (url.size() > kMaxUrlBytes) return bad("longer than " + std::to_string(kMaxUrlBytes) + " bytes");
  for (std::string_view scheme : {"postgres://", "postgresql://"}) {
    if (url.starts_with(scheme)) return parse_postgres(url.substr(scheme.size()));
  }
  if (url.starts_with("sqlite://")) return parse_sqlite(url.substr(9));
  return bad("must start with sqlite://, postgres:// or postgresql://");
}

std::string default_database_url(const std::filesystem::path& workdir) {
  return "sqlite://" + (workdir / "imgflo.db").string();
}

}  // namespace imgflo::apps
