// Fuzz target "color": colour strings, and request values for every property type.
//
//   Color::parse and convert_string with a colour PropSpec (GEGL's colour syntax),
//   canvas::parse_css_color (node-canvas' CSS colours), convert_string / convert_json for
//   number, integer, boolean, enum and string properties (request values and IIPs), and
//   value_to_json of every converted value (the catalogue's JSON). Errors are serialised
//   as the service would answer them.
#include "fuzz_support.h"

#include "canvas/css_color.h"
#include "runtime/property.h"

#include <cmath>
#include <vector>

using namespace imgflo;
using runtime::PropSpec;

namespace {

const std::vector<PropSpec>& specs() {
  static const std::vector<PropSpec> all = {
      PropSpec::color("color", "a colour", Color::from_srgb(1, 0, 0)),
      PropSpec::number("number", "a number", 0.5, 0.0, 1.0),
      PropSpec::number("unbounded", "a number", 0.0),
      PropSpec::integer("int", "an integer", 3, -10.0, 1e6),
      PropSpec::integer("unbounded-int", "an integer", 0),
      PropSpec::boolean("bool", "a boolean", false),
      PropSpec::enumeration("enum", "an enum", {"none", "clamp", "loop", "black", "white"}, 1),
      PropSpec::string("string", "a string", "x"),
  };
  return all;
}

void check_value(const PropSpec& spec, const Result<runtime::Value>& v) {
  if (!v.ok()) return fuzz::check_error(v.error());
  if (spec.type == runtime::PropType::kColor && !std::holds_alternative<Color>(*v)) {
    fuzz::fail("a colour property converted to another type");
  }
  if (const double* d = std::get_if<double>(&*v)) {
    if (spec.minimum && *d < *spec.minimum) fuzz::fail("number below its minimum");
    if (spec.maximum && *d > *spec.maximum) fuzz::fail("number above its maximum");
  }
  fuzz::check_response(http::HttpResponse::json(200, nlohmann::json(runtime::value_to_json(spec, *v))));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char*** argv) {
  fuzz::init((*argv)[0]);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);

  if (auto c = Color::parse(text); c.ok()) {
    (void)c->to_hex();
    (void)c->srgb();
  } else {
    fuzz::check_error(c.error());
  }
  if (auto css = canvas::parse_css_color(text); css.ok()) {
    if (!(css->a >= 0.0 && css->a <= 1.0)) fuzz::fail("CSS colour alpha outside 0..1");
  } else {
    fuzz::check_error(css.error());
  }

  const auto as_json = nlohmann::ordered_json::parse(text, nullptr, false);
  for (const PropSpec& spec : specs()) {
    check_value(spec, runtime::convert_string(spec, text));
    // An IIP: the text as a JSON string, and the text parsed as JSON when it is JSON.
    check_value(spec, runtime::convert_json(spec, nlohmann::ordered_json(std::string(text)), spec.default_value));
    if (!as_json.is_discarded()) check_value(spec, runtime::convert_json(spec, as_json, spec.default_value));
  }
  return 0;
}
