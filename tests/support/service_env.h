// Where tests find the external services started by scripts/services/*.sh.
//
// test_service("IMGFLO_TEST_REDIS_URL") returns the environment variable if
// set and non-empty, else the NAME=VALUE line of
// ${binary_dir}/test-services/services.env, else nullopt. Tests that need a
// service must FAIL when it is absent (with missing_service_message), never
// skip silently.
#pragma once

#include <optional>
#include <string>

namespace imgflo::test {

std::optional<std::string> test_service(const std::string& name);
// "IMGFLO_TEST_REDIS_URL is not set ... start the services with: ..."
std::string missing_service_message(const std::string& name);

// A loopback port nothing listens on (bound, then released): where a setting
// points to make a service unreachable without stopping the shared one.
int closed_port();

}  // namespace imgflo::test
