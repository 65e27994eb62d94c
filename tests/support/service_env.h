// Where tests find the external services (RabbitMQ, Redis, S3) that
// scripts/services/*.sh start.
//
// Each script writes NAME=VALUE lines to <build>/test-services/services.env;
// a non-empty environment variable of the same name takes precedence (to
// point the tests at other servers). Tests that need a service FAIL when it
// is absent; they never skip.
#pragma once

#include <optional>
#include <string>

namespace imgflo::test {

// The value of `name` (e.g. "IMGFLO_TEST_BROKER_URL") from the environment,
// else from <build>/test-services/services.env (the last "name=..." line
// wins); nullopt when neither has a non-empty value.
std::optional<std::string> test_service(const std::string& name);

}  // namespace imgflo::test
