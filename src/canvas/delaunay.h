// Delaunay triangulation, producing exactly what the npm package
// `delaunay-fast` 1.0 (noflo-geometry's geometry/Delaunay) produced: the same
// triangles, in the same order, with the same vertex order.
//
// Algorithm: Bowyer-Watson with a super-triangle. Points are inserted in
// ascending x (ties: higher index first, as a stable descending sort walked
// backwards gives). The super-triangle spans 20x the bounding box's larger
// side around its centre. Each open triangle caches its circumcircle; a
// triangle whose circle lies wholly left of the new point is closed for good.
// A point within 2^-20 (squared distance) of a circle breaks its triangle;
// the broken triangles' edges, minus those shared by two of them, are joined
// to the point. Triangles touching the super-triangle are dropped at the end.
// Floating-point operations follow the original's order so that the
// epsilon comparisons decide alike.
//
// Pure function; thread-safe.
#pragma once

#include "core/error.h"

#include <array>
#include <vector>

namespace imgflo::canvas {

struct Point {
  double x = 0;
  double y = 0;
};

using Triangle = std::array<int, 3>;  // indices into the input points

// Fewer than 3 points give no triangles. kInvalidArgument when three points
// needed for a circumcircle lie on one horizontal line (delaunay-fast's
// "coincident points").
Result<std::vector<Triangle>> triangulate(const std::vector<Point>& points);

}  // namespace imgflo::canvas
