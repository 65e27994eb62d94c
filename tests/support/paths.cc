#include "support/paths.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace imgflo::test {

namespace fs = std::filesystem;

fs::path source_dir() { return IMGFLO_SOURCE_DIR; }
fs::path binary_dir() { return IMGFLO_BINARY_DIR; }
fs::path example(const std::string& name) { return source_dir() / "examples" / name; }
fs::path reference(const std::string& name) { return source_dir() / "tests" / "data" / "references" / name; }
fs::path graph_dir() { return source_dir() / "graphs"; }

fs::path scratch_dir(const std::string& name) {
  // Per process: ctest runs tests in parallel processes that may use the same name.
  const fs::path dir = binary_dir() / "test-scratch" / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace imgflo::test
