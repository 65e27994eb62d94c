// imgflo-apps: the applications database's admin command line (issue 14).
//
//   imgflo-apps add EMAIL LABEL [--quota N] [--admin]
//   imgflo-apps list | show KEY | enable KEY | disable KEY | set-quota KEY N
//   imgflo-apps rotate KEY [--grace DURATION] | delete KEY
//
// The database is DATABASE_URL, else the SQLite file IMGFLO_WORKDIR/imgflo.db
// (the server's default, apps::default_database_url). Results are JSON on
// stdout; errors are one line on stderr. Exit status: 0 ok, 2 bad usage or
// input, 3 unknown key, 1 anything else (e.g. the database is unreachable).
#include "app/main_guard.h"
#include "apps/open_app_store.h"
#include "core/json.h"

#include <charconv>
#include <chrono>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace apps = imgflo::apps;
using imgflo::Error;
using imgflo::ErrorKind;
using imgflo::Result;
using imgflo::Status;
using imgflo::ok_status;
using Json = nlohmann::ordered_json;

constexpr const char* kProgram = "imgflo-apps";
// app::FileSettings::workdir's default (app/config.h): the server's work folder when IMGFLO_WORKDIR is unset.
constexpr const char* kDefaultWorkdir = "temp";
constexpr int64_t kDefaultGraceSeconds = 24 * 3600;

constexpr const char* kUsage = R"(usage: imgflo-apps COMMAND [ARGS]

Manages the API clients (apps) of imgflo-server. Changes reach running
servers within seconds, without a restart.

commands:
  add EMAIL LABEL [--quota N] [--admin]
                     create an enabled app with a new key and secret (15 hex
                     characters each) and print it; N = processed images per
                     24 h (default 1; 0 = cached results only); --admin may use
                     _nocache
  list               every app, without secrets
  show KEY           one app, with its secret
  enable KEY         let the app's requests in again
  disable KEY        refuse the app's requests (403, cached results too)
  set-quota KEY N    change the processing quota
  rotate KEY [--grace DURATION]
                     give the app a new secret and print it; the old one stays
                     valid for DURATION (30s, 15m, 24h, 7d; default 24h, 0 = none)
  delete KEY         remove the app

environment:
  DATABASE_URL       sqlite:///abs/path.db, sqlite://relative/path.db or
                     postgres://user:pass@host:port/db (TLS unless POSTGRES_NOSSL);
                     default: the SQLite file $IMGFLO_WORKDIR/imgflo.db
                     (IMGFLO_WORKDIR defaults to ./temp, as for imgflo-server)

exit status: 0 ok, 2 bad usage or input, 3 unknown key, 1 other errors
(e.g. the database cannot be reached).
)";

constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitUnknownKey = 3;

Error usage(std::string message) { return Error(ErrorKind::kInvalidArgument, std::move(message)); }

int fail(const Error& e) {
  std::cerr << kProgram << ": " << e.message() << "\n";
  if (e.kind() == ErrorKind::kInvalidArgument) return kExitUsage;
  if (e.kind() == ErrorKind::kNotFound) return kExitUnknownKey;
  return kExitFailed;
}

std::string utc_text(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// An app as the CLI prints it; secrets only when asked.
Json app_json(const apps::AppRecord& a, bool with_secrets) {
  Json j;
  j["key"] = a.key;
  if (with_secrets) j["secret"] = a.secret;
  j["label"] = a.label;
  j["owner_email"] = a.owner_email;
  j["processing_quota"] = a.processing_quota;
  j["enabled"] = a.enabled;
  j["admin"] = a.admin;
  if (with_secrets && !a.previous_secret.empty()) {
    j["previous_secret"] = a.previous_secret;
    j["previous_secret_expires_at"] = utc_text(a.previous_secret_expires_at);
  }
  j["created_at"] = utc_text(a.created_at);
  j["updated_at"] = utc_text(a.updated_at);
  return j;
}

int print(const Json& j) {
  std::cout << imgflo::dump_json(j, 2) << "\n";
  return kExitOk;
}

int print_app(const Result<apps::AppRecord>& app, bool with_secrets) {
  if (!app.ok()) return fail(app.error());
  return print(app_json(*app, with_secrets));
}

// A whole decimal number (no sign, no spaces).
std::optional<int64_t> whole_number(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '-' || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<int64_t> quota_value(const std::string& text) {
  auto n = whole_number(text);
  if (!n) return usage("quota must be a whole number of images, 0 or more: " + text);
  return *n;
}

// "30s", "15m", "24h", "7d" or plain seconds.
Result<std::chrono::seconds> grace_value(std::string_view text) {
  const std::string given(text);
  int64_t unit = 1;
  if (const size_t suffix = std::string_view("smhd").find(text.empty() ? '?' : text.back());
      suffix != std::string_view::npos) {
    constexpr int64_t kUnits[] = {1, 60, 3600, 86400};
    unit = kUnits[suffix];
    text.remove_suffix(1);
  }
  auto n = whole_number(text);
  if (!n || *n > INT64_MAX / unit) return usage("grace must be a duration like 30s, 15m, 24h or 7d: " + given);
  return std::chrono::seconds(*n * unit);
}

// One command, checked before the database is opened.
struct Command {
  std::string name;
  std::vector<std::string> args;  // positional, after the name
  apps::NewApp app;               // add
  int64_t quota = 0;              // set-quota
  std::chrono::seconds grace{kDefaultGraceSeconds};  // rotate
  bool help = false;
};

// The positional count and options each command takes.
struct Shape {
  std::string_view name;
  size_t args;
  bool quota_admin;
  bool grace;
};
constexpr Shape kShapes[] = {
    {"add", 2, true, false},     {"list", 0, false, false},    {"show", 1, false, false},
    {"enable", 1, false, false}, {"disable", 1, false, false}, {"set-quota", 2, false, false},
    {"rotate", 1, false, true},  {"delete", 1, false, false},
};

Status check_shape(const Command& c, bool has_quota_or_admin, bool has_grace) {
  for (const Shape& s : kShapes) {
    if (s.name != c.name) continue;
    if (c.args.size() != s.args) {
      return usage(c.name + " takes " + std::to_string(s.args) + " argument" + (s.args == 1 ? "" : "s") +
                   " (see --help)");
    }
    if (has_quota_or_admin && !s.quota_admin) return usage(c.name + " takes no --quota or --admin");
    if (has_grace && !s.grace) return usage(c.name + " takes no --grace");
    return ok_status();
  }
  return usage("unknown command " + c.name + " (see --help)");
}

// The values of add, set-quota and rotate.
Status read_values(Command& c, const std::optional<std::string>& quota, const std::optional<std::string>& grace) {
  if (c.name == "add") c.app = apps::NewApp{.owner_email = c.args[0], .label = c.args[1], .admin = c.app.admin};
  if (quota) {
    auto q = quota_value(*quota);
    if (!q.ok()) return q.take_error();
    c.app.processing_quota = *q;
  }
  if (c.name == "set-quota") {
    auto q = quota_value(c.args[1]);
    if (!q.ok()) return q.take_error();
    c.quota = *q;
  }
  if (grace) {
    auto g = grace_value(*grace);
    if (!g.ok()) return g.take_error();
    c.grace = *g;
  }
  return ok_status();
}

Result<Command> parse_command(int argc, char** argv) {
  Command c;
  std::vector<std::string> positional;
  std::optional<std::string> quota, grace;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> value;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    const bool takes_value = arg == "--quota" || arg == "--grace";
    if (takes_value && !value) {
      if (i + 1 >= argc) return usage(arg + " needs a value");
      value = argv[++i];
    }
    if (arg == "-h" || arg == "--help") c.help = true;
    else if (arg == "--admin" && !value) c.app.admin = true;
    else if (arg == "--quota") quota = value;
    else if (arg == "--grace") grace = value;
    else if (arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1]))) {
      return usage("unknown option " + arg);
    }
    else positional.push_back(arg);
  }
  if (c.help) return c;
  if (positional.empty()) return usage("no command (see --help)");
  c.name = positional.front();
  c.args.assign(positional.begin() + 1, positional.end());
  if (auto st = check_shape(c, quota || c.app.admin, grace.has_value()); !st.ok()) return st.take_error();
  if (auto st = read_values(c, quota, grace); !st.ok()) return st.take_error();
  return c;
}

std::string database_url() {
  const char* url = std::getenv("DATABASE_URL");
  if (url && *url) return url;
  const char* workdir = std::getenv("IMGFLO_WORKDIR");
  return apps::default_database_url(workdir && *workdir ? workdir : kDefaultWorkdir);
}

int run_command(const Command& c, apps::AppStore& store) {
  if (c.name == "add") return print_app(store.add(c.app), true);
  if (c.name == "list") {
    auto all = store.list();
    if (!all.ok()) return fail(all.error());
    Json out = Json::array();
    for (const apps::AppRecord& app : *all) out.push_back(app_json(app, false));
    return print(out);
  }
  const std::string& key = c.args[0];
  if (c.name == "show") return print_app(store.find(key), true);
  if (c.name == "enable" || c.name == "disable") return print_app(store.set_enabled(key, c.name == "enable"), false);
  if (c.name == "set-quota") return print_app(store.set_quota(key, c.quota), false);
  if (c.name == "rotate") return print_app(store.rotate(key, c.grace), true);
  auto removed = store.remove(key);  // delete
  return removed.ok() ? kExitOk : fail(removed.error());
}

int run(int argc, char** argv) {
  auto command = parse_command(argc, argv);
  if (!command.ok()) return fail(command.error());
  if (command->help) {
    std::cout << kUsage;
    return kExitOk;
  }
  auto store = apps::open_app_store(database_url());
  if (!store.ok()) return fail(store.error());
  return run_command(*command, **store);
}

}  // namespace

int main(int argc, char** argv) {
  return imgflo::app::guarded_main(kProgram, [&] { return run(argc, argv); });
}
