// noflo-canvas components: canvas/MakePoint, canvas/MakeRectangle,
// canvas/MakeRGBColor, canvas/Fill (arrayable builders of drawing objects)
// and canvas/Draw, the one that paints.
#include "canvas/arrayable.h"
#include "canvas/component.h"
#include "canvas/draw.h"
#include "canvas/text.h"

#include <cmath>

namespace imgflo::canvas {

namespace {

Result<Value> make_point(const Ports& in, DrawContext&) { return expand_arrayable("point", in, {{"x"}, {"y"}}); }

Result<Value> make_rectangle(const Ports& in, DrawContext&) {
  return expand_arrayable("rectangle", in, {{"point"}, {"width"}, {"height"}});
}

Result<Value> fill(const Ports& in, DrawContext&) {
  return expand_arrayable("fill", in, {{"items"}, {"fillstyle", false}});
}

// JavaScript's Math.round as text ("NaN" for non-numbers).
std::string rounded(const Value& v) {
  const auto n = to_number(v);
  return js_number_string(n ? std::floor(*n + 0.5) : std::nan(""));
}

// "rgb(r, g, b)" or "rgba(r, g, b, a)" with r, g, b rounded to integers.
Value color_string(const Value& c) {
  std::string s = c.contains("alpha") ? "rgba(" : "rgb(";
  s += rounded(c["red"]) + ", " + rounded(c["green"]) + ", " + rounded(c["blue"]);
  if (c.contains("alpha")) s += ", " + to_string(c["alpha"]).value_or("NaN");
  return Value(s + ")");
}

Result<Value> make_rgb_color(const Ports& in, DrawContext&) {
  Value colors = expand_arrayable("color", in, {{"red"}, {"green"}, {"blue"}, {"alpha", false}});
  if (colors.is_object()) return color_string(colors);
  if (colors.is_array()) {
    for (auto& c : colors) c = color_string(c);
  }
  return colors;
}

// Paints the commands (in connection order) on the canvas, clearing it first
// when clearevery is true; sends the canvas on.
Result<Value> draw(const Ports& in, DrawContext& ctx) {
  const Value& canvas = in["canvas"];
  if (!canvas.is_object() || canvas.value("type", "") != "canvas") return Value();
  if (in["clearevery"] == true) {
    cairo_t* cr = ctx.surface.context();
    cairo_save(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
    cairo_paint(cr);
    cairo_restore(cr);
  }
  if (Status st = draw_commands(in["commands"], ctx); !st.ok()) return st.take_error();
  return canvas;
}

}  // namespace

std::vector<ComponentSpec> canvas_components() {
  return {
      {"canvas/MakePoint", "Creates a point or points", {{"x", "number", "X"}, {"y", "number", "Y"}}, "point",
       make_point},
      {"canvas/MakeRectangle",
       "Creates a rectangle or rectangles",
       {{"point", "object", "Top left point"}, {"width", "number", "Width"}, {"height", "number", "Height"}},
       "rectangle",
       make_rectangle},
      {"canvas/MakeRGBColor",
       "Creates an RGB or RGBA colour or colours",
       {{"red", "int", "from 0 to 255"},
        {"green", "int", "from 0 to 255"},
        {"blue", "int", "from 0 to 255"},
        {"alpha", "number", "optional, from 0 to 1.0"}},
       "color",
       make_rgb_color},
      {"canvas/Fill",
       "Fills shapes with a colour",
       {{"items", "object", "Shapes to fill"}, {"fillstyle", "color", "Fill colour (CSS)"}},
       "fill",
       fill},
      {"canvas/Draw",
       "Draws the received commands on the canvas",
       {{"canvas", "object", "The canvas"},
        {"commands", "object", "Drawing commands", true},
        {"drawevery", "boolean", "Draw on every command (always, here)"},
        {"clearevery", "boolean", "Clear the canvas before drawing"}},
       "canvas",
       draw},
  };
}

}  // namespace imgflo::canvas
