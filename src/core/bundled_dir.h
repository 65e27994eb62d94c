// Folders shipped beside the executables (graphs/, examples/).
#pragma once

#include <filesystem>
#include <string_view>

namespace imgflo {

// `name` in the parent of the folder holding the running executable
// (build/imgflo-server -> <checkout>/name) when that folder exists, else
// `name` relative to the working directory.
std::filesystem::path bundled_dir(std::string_view name);

}  // namespace imgflo
