// Data files compiled into the binary (see cmake/embed_text.cmake and the
// embed rules in src/CMakeLists.txt): nothing is read from disk at run time.
// Each symbol is the file's exact text, valid for the whole process.
#pragma once

#include <string_view>

namespace imgflo::embedded {

// data/retro-curve-tables.json: the 256-entry curves of imgfloextra/retro-curve.
extern const std::string_view kRetroCurveTablesJson;

}  // namespace imgflo::embedded
