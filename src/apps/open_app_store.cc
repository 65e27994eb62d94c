#include "apps/open_app_store.h"

#include "apps/postgres_app_store.h"

#include <memory>

namespace imgflo::apps {

namespace {

Result<std::unique_ptr<AppStore>> open_postgres(const DatabaseUrl& url) {
#ifdef IMGFLO_HAVE_POSTGRES
  return open_postgres_app_store(url);
#else
  return Error(ErrorKind::kInvalidArgument, "PostgreSQL support not built (" + url.redacted() + ")");
#endif
}

}  // namespace

Result<std::unique_ptr<AppStore>> open_app_store(const std::string& url, CreateDatabase create) {
  auto parsed = parse_database_url(url);
  if (!parsed.ok()) return parsed.take_error();
  if (parsed->kind == DatabaseUrl::Kind::kPostgres) return open_postgres(*parsed);
  return open_sqlite_app_store(parsed->path, create);
}

AppStoreOpener app_store_opener(std::string url) {
  auto opened_once = std::make_shared<bool>(false);
  return [url = std::move(url), opened_once]() -> Result<std::unique_ptr<AppStore>> {
    auto store = open_app_store(url, *opened_once ? CreateDatabase::kNever : CreateDatabase::kIfMissing);
    if (store.ok()) *opened_once = true;
    return store;
  };
}

}  // namespace imgflo::apps
