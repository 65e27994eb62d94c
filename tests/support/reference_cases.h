// The original's reference cases (shared testdata README), shared by the
// CLI, library and HTTP conformance suites.
#pragma once

#include "request/params.h"

#include <ostream>
#include <string>
#include <vector>

namespace imgflo::test {

struct ReferenceCase {
  std::string name;
  std::string url;        // the original request: /graph/NAME[.ext]?query
  double tolerance;       // max dE76; < 0 means "byte-identical to the input"
  std::string reference;  // file in tests/data/references ("" for byte-identical cases)
  // Run with IMGFLO_COLOR_MANAGEMENT=legacy: the original ignored the input's
  // ICC profile here, and with colour management the result differs on
  // purpose (see runtime/colour_management.h).
  bool legacy_colour = false;
};
// gtest prints the case name instead of a byte dump.
void PrintTo(const ReferenceCase& c, std::ostream* os);

// Cases the given runtimes cover ("imgflo", "noop", "canvas").
std::vector<ReferenceCase> reference_cases(const std::vector<std::string>& runtimes);

// A case URL taken apart: graph spec ("crop.png"), decoded parameters
// without input, and the input file (examples/NAME) when there is one.
struct CaseRequest {
  std::string graph_spec;
  request::Params params;
  std::string input_file;  // absolute path, or ""
};
CaseRequest parse_case_url(const std::string& url);

}  // namespace imgflo::test
