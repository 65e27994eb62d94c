// In-process services shared by the handler and processor unit tests.
#pragma once

#include "app/runtimes.h"
#include "runtime/catalogue.h"
#include "storage/local_storage.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace imgflo::test {

// The repository's graphs/ catalogue, loaded once per process and never
// destroyed (its graphs hold libvips objects; libvips shuts down before
// static destructors run). A failure fails the caller.
inline const runtime::Catalogue* shared_catalogue() {
  static const auto* loaded =
      new Result<std::unique_ptr<runtime::Catalogue>>(runtime::Catalogue::load(graph_dir(), app::builtin_runtimes()));
  EXPECT_TRUE(loaded->ok()) << loaded->error().message();
  return loaded->ok() ? (*loaded)->get() : nullptr;
}

// A fixture with the catalogue and LocalStorage in a fresh scratch folder
// named after the running test.
class CoreServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    auto s = storage::LocalStorage::open(scratch_dir(std::string(info->test_suite_name()) + "-" + info->name()));
    ASSERT_TRUE(s.ok()) << s.error().message();
    storage_ = std::move(*s);
    catalogue_ = shared_catalogue();
    ASSERT_NE(catalogue_, nullptr);
  }

  const runtime::Catalogue* catalogue_ = nullptr;
  std::unique_ptr<storage::LocalStorage> storage_;
};

}  // namespace imgflo::test
