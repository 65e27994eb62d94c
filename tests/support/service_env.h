// Settings of the test services (Redis, moto S3, RabbitMQ) that scripts/services/*.sh start.
//
// Each script writes NAME=VALUE lines to ${binary_dir}/test-services/services.env; a variable of
// the same name in the environment takes precedence (to point the tests at other servers).
#pragma once

#include <optional>
#include <string>

namespace imgflo::test {

// The value of `name` from the environment, else from ${binary_dir}/test-services/services.env
// (the last line "name=..." wins; blank lines and lines starting with '#' are ignored);
// nullopt when neither has it or the value is empty.
std::optional<std::string> test_service(const std::string& name);

}  // namespace imgflo::test
