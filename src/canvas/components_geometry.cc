// geometry/Delaunay (noflo-geometry): the Delaunay triangulation of the
// points, as one closed path of three points per triangle.
#include "canvas/component.h"
#include "canvas/delaunay.h"

namespace imgflo::canvas {

namespace {

Value point_value(const Point& p) { return Value{{"type", "point"}, {"x", p.x}, {"y", p.y}}; }

Result<Value> delaunay(const Ports& in, DrawContext&) {
  const Value& given = in["points"];
  if (!given.is_array()) return Value();
  if (given.size() <= 2) {
    return Error(ErrorKind::kInvalidArgument, "geometry/Delaunay: points must contain more than 2 elements");
  }
  std::vector<Point> points;
  for (const auto& p : given) {
    const auto x = p.is_object() ? to_number(p.value("x", Value())) : std::nullopt;
    const auto y = p.is_object() ? to_number(p.value("y", Value())) : std::nullopt;
    if (!x || !y) return Error(ErrorKind::kInvalidArgument, "geometry/Delaunay: a point without x and y");
    points.push_back({*x, *y});
  }
  auto triangles = triangulate(points);
  if (!triangles.ok()) return triangles.take_error();
  Value paths = Value::array();
  for (const auto& t : *triangles) {
    Value items = Value::array();
    for (int i : t) items.push_back(point_value(points[i]));
    paths.push_back(Value{{"type", "path"}, {"items", std::move(items)}});
  }
  return paths;
}

}  // namespace

std::vector<ComponentSpec> geometry_components() {
  return {{"geometry/Delaunay", "Delaunay triangulation of points", {{"points", "array", "Points"}}, "paths",
           delaunay}};
}

}  // namespace imgflo::canvas
