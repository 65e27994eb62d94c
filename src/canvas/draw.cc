#include "canvas/draw.h"

#include "canvas/css_color.h"

namespace imgflo::canvas {

namespace {

// Nesting deeper than this is refused (the values come from graph files and
// requests; recursion must stay bounded).
constexpr int kMaxDepth = 64;

class Painter {
 public:
  explicit Painter(DrawContext& ctx) : ctx_(ctx), cr_(ctx.surface.context()) {}

  Status thing(const Value& v, int depth) {
    if (depth > kMaxDepth) return Error(ErrorKind::kInvalidArgument, "canvas/Draw: commands nested too deeply");
    if (++count_ % 256 == 0) {
      if (auto e = ctx_.stop.check()) return *e;
    }
    if (v.is_array()) {
      for (const auto& item : v) {
        if (Status st = thing(item, depth + 1); !st.ok()) return st;
      }
      return ok_status();
    }
    if (!known(v)) return ok_status();
    const std::string& type = v["type"].get_ref<const std::string&>();
    if (type == "fill") return fill(v, depth);
    if (type == "fillStyle") return set_fill_style(v.value("value", Value()));
    if (type == "path") path(v);
    if (type == "rectangle") rectangle(v);
    return ok_status();
  }

 private:
  Status set_fill_style(const Value& css) {
    if (!css.is_string()) return Error(ErrorKind::kInvalidArgument, "canvas/Draw: a fill style must be a colour string");
    auto c = parse_css_color(css.get_ref<const std::string&>());
    if (!c.ok()) return c.take_error();
    fill_style_ = *c;
    return ok_status();
  }

  static bool known(const Value& v) {
    if (!v.is_object() || !v.contains("type") || !v["type"].is_string()) return false;
    const std::string& t = v["type"].get_ref<const std::string&>();
    return t == "fill" || t == "fillStyle" || t == "path" || t == "rectangle";
  }

  // Every drawable thing among the fill's items is its own closed, filled path.
  Status fill(const Value& f, int depth) {
    const Rgba saved = fill_style_;
    if (f.contains("fillstyle") && !f["fillstyle"].is_null()) {
      if (Status st = set_fill_style(f["fillstyle"]); !st.ok()) return st;
    }
    Status st = fill_items(f.value("items", Value()), depth + 1);
    fill_style_ = saved;
    return st;
  }

  Status fill_items(const Value& items, int depth) {
    if (depth > kMaxDepth) return Error(ErrorKind::kInvalidArgument, "canvas/Draw: commands nested too deeply");
    if (items.is_array()) {
      for (const auto& item : items) {
        if (Status st = fill_items(item, depth + 1); !st.ok()) return st;
      }
      return ok_status();
    }
    if (!known(items)) return ok_status();
    cairo_new_path(cr_);
    if (Status st = thing(items, depth); !st.ok()) return st;
    cairo_close_path(cr_);
    cairo_set_source_rgba(cr_, fill_style_.r / 255.0, fill_style_.g / 255.0, fill_style_.b / 255.0, fill_style_.a);
    cairo_fill(cr_);
    return ok_status();
  }

  static bool point_of(const Value& v, double& x, double& y) {
    if (!v.is_object() || !v.contains("x") || !v.contains("y")) return false;
    const auto px = to_number(v["x"]), py = to_number(v["y"]);
    if (!px || !py) return false;
    x = *px;
    y = *py;
    return true;
  }

  // An item at position i of a path: a point (moves when i == 0) or an array of points.
  void path_item(const Value& item, size_t i) {
    if (item.is_array()) {
      for (size_t j = 0; j < item.size(); ++j) path_item(item[j], j);
      return;
    }
    double x, y;
    if (item.value("type", "") != "point" || !point_of(item, x, y)) return;
    if (i == 0) {
      cairo_move_to(cr_, x, y);
    } else {
      cairo_line_to(cr_, x, y);
    }
  }

  void path(const Value& p) {
    const Value items = p.value("items", Value());
    if (!items.is_array()) return;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_null()) path_item(items[i], i);
    }
  }

  void rectangle(const Value& r) {
    double x, y;
    const auto w = to_number(r.value("width", Value())), h = to_number(r.value("height", Value()));
    if (!r.contains("point") || !point_of(r["point"], x, y) || !w || !h) return;
    cairo_move_to(cr_, x, y);
    cairo_line_to(cr_, x + *w, y);
    cairo_line_to(cr_, x + *w, y + *h);
    cairo_line_to(cr_, x, y + *h);
    cairo_line_to(cr_, x, y);
  }

  DrawContext& ctx_;
  cairo_t* cr_;
  Rgba fill_style_{0, 0, 0, 1.0};
  long count_ = 0;
};

}  // namespace

Status draw_commands(const Value& commands, DrawContext& ctx) {
  Painter painter(ctx);
  return painter.thing(commands, 0);
}

}  // namespace imgflo::canvas
