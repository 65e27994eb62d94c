#include "support/service_env.h"

#include "support/paths.h"

#include <cstdlib>
#include <fstream>

namespace imgflo::test {

std::optional<std::string> test_service(const std::string& name) {
  if (const char* v = std::getenv(name.c_str()); v != nullptr && *v != '\0') return std::string(v);
  std::ifstream in(binary_dir() / "test-services" / "services.env");
  std::optional<std::string> found;
  const std::string prefix = name + "=";
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind(prefix, 0) == 0) found = line.substr(prefix.size());
  }
  if (found && found->empty()) return std::nullopt;
  return found;
}

}  // namespace imgflo::test
