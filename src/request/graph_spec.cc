#include "request/graph_spec.h"

namespace imgflo::request {

GraphSpec parse_graph_spec(std::string_view spec) {
  GraphSpec out;
  const size_t dot = spec.rfind('.');
  // Like path.extname: a leading dot ("".hidden") is part of the name.
  if (dot == std::string_view::npos || dot == 0) {
    out.name = std::string(spec);
  } else {
    out.name = std::string(spec.substr(0, dot));
    out.extension = std::string(spec.substr(dot + 1));
  }
  if (out.extension.empty() && out.name != "noop") {
    out.extension = "jpg";
    out.defaulted = true;
  }
  if (out.extension == "jpeg") out.extension = "jpg";
  return out;
}

}  // namespace imgflo::request
