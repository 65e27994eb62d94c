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
    if (line.rfind(prefix, 0) == 0 && line.size() > prefix.size()) found = line.substr(prefix.size());
  }
  return found;
}

}  // namespace imgflo::test
