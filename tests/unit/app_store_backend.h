// The databases the AppStore contract suite (app_store_contract_test.cc) runs against.
//
// A backend hands out fresh, empty databases by URL and can run one SQL
// statement on them outside any store (to fake what another program did,
// e.g. a newer schema). SQLite's is in the contract suite; PostgreSQL's
// (postgres_backend(), tests/unit/postgres_app_store_test.cc) must FAIL,
// never skip, when its server is not reachable.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace imgflo::apps::test {

struct AppStoreBackend {
  std::string name;  // the suite's parameter name: "sqlite", "postgres"
  // The DATABASE_URL of a database no other test uses, empty (no tables).
  std::function<std::string()> fresh_url;
  // Runs one statement on the database at `url`; a failure is a test failure (ADD_FAILURE).
  std::function<void(const std::string& url, const std::string& sql)> execute;
};

// gtest prints a parameter with this (else as raw bytes, heap addresses included, which
// would make the discovered test names differ from one build to the next).
inline void PrintTo(const AppStoreBackend& backend, std::ostream* out) { *out << backend.name; }

AppStoreBackend sqlite_backend();
AppStoreBackend postgres_backend();  // defined by the PostgreSQL tests

}  // namespace imgflo::apps::test
