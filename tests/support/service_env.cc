#include "support/service_env.h"

#include "support/paths.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace imgflo::test {

namespace {

std::filesystem::path services_env() { return binary_dir() / "test-services" / "services.env"; }

}  // namespace

std::optional<std::string> test_service(const std::string& name) {
  if (const char* v = std::getenv(name.c_str()); v != nullptr && *v != '\0') return std::string(v);
  std::ifstream in(services_env());
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == '=') {
      std::string value = line.substr(name.size() + 1);
      if (!value.empty()) return value;
    }
  }
  return std::nullopt;
}

std::string missing_service_message(const std::string& name) {
  return name + " is not set and not in " + services_env().string() +
         ". Start the test services first, e.g.\n  scripts/services/redis.sh start " +
         (binary_dir() / "test-services").string() + "\n(stop them with the same script's 'stop').";
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace imgflo::test
