// gtest main for every test binary: libvips is started once before any test.
#include "app/vips_init.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  spdlog::set_level(spdlog::level::warn);
  if (!imgflo::app::init_vips(argv[0])) return 1;
  return RUN_ALL_TESTS();
}
