// Where tests find the repository's files and the built executables.
#pragma once

#include <filesystem>
#include <string>

namespace imgflo::test {

std::filesystem::path source_dir();                 // repository root
std::filesystem::path binary_dir();                 // build folder
std::filesystem::path example(const std::string& name);    // examples/NAME (the bundled inputs)
std::filesystem::path reference(const std::string& name);  // tests/data/references/NAME
std::filesystem::path graph_dir();                  // graphs/
// A fresh, empty scratch folder under the build folder for this test (per process).
std::filesystem::path scratch_dir(const std::string& name);

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& bytes);

}  // namespace imgflo::test
