#include "canvas/delaunay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace imgflo::canvas {

namespace {

constexpr double kEpsilon = 1.0 / 1048576.0;

struct Circle {
  int i, j, k;   // the triangle's vertices
  double x, y;   // circumcentre
  double r2;     // squared radius
};

// The three vertices of a triangle that contains every point.
std::array<Point, 3> super_triangle(const std::vector<Point>& v) {
  double xmin = std::numeric_limits<double>::infinity(), ymin = xmin;
  double xmax = -xmin, ymax = -xmin;
  for (const Point& p : v) {
    xmin = std::min(xmin, p.x);
    xmax = std::max(xmax, p.x);
    ymin = std::min(ymin, p.y);
    ymax = std::max(ymax, p.y);
  }
  const double dx = xmax - xmin, dy = ymax - ymin;
  const double dmax = std::max(dx, dy);
  const double xmid = xmin + dx * 0.5, ymid = ymin + dy * 0.5;
  return {Point{xmid - 20 * dmax, ymid - dmax}, Point{xmid, ymid + 20 * dmax}, Point{xmid + 20 * dmax, ymid - dmax}};
}

// Circumcircle from the perpendicular bisectors of edges (1,2) and (2,3);
// a horizontal edge has a vertical bisector, handled apart.
std::optional<Circle> circumcircle(const std::vector<Point>& v, int i, int j, int k) {
  const double x1 = v[i].x, y1 = v[i].y, x2 = v[j].x, y2 = v[j].y, x3 = v[k].x, y3 = v[k].y;
  const double dy12 = std::abs(y1 - y2), dy23 = std::abs(y2 - y3);
  if (dy12 < kEpsilon && dy23 < kEpsilon) return std::nullopt;
  double xc, yc;
  if (dy12 < kEpsilon) {
    const double m2 = -((x3 - x2) / (y3 - y2));
    const double mx2 = (x2 + x3) / 2.0, my2 = (y2 + y3) / 2.0;
    xc = (x2 + x1) / 2.0;
    yc = m2 * (xc - mx2) + my2;
  } else if (dy23 < kEpsilon) {
    const double m1 = -((x2 - x1) / (y2 - y1));
    const double mx1 = (x1 + x2) / 2.0, my1 = (y1 + y2) / 2.0;
    xc = (x3 + x2) / 2.0;
    yc = m1 * (xc - mx1) + my1;
  } else {
    const double m1 = -((x2 - x1) / (y2 - y1));
    const double m2 = -((x3 - x2) / (y3 - y2));
    const double mx1 = (x1 + x2) / 2.0, mx2 = (x2 + x3) / 2.0;
    const double my1 = (y1 + y2) / 2.0, my2 = (y2 + y3) / 2.0;
    xc = (m1 * mx1 - m2 * mx2 + my2 - my1) / (m1 - m2);
    yc = dy12 > dy23 ? m1 * (xc - mx1) + my1 : m2 * (xc - mx2) + my2;
  }
  const double dx = x2 - xc, dy = y2 - yc;
  return Circle{i, j, k, xc, yc, dx * dx + dy * dy};
}

using Edge = std::array<int, 2>;

// Drops every edge that appears twice (in either direction), keeping the
// order of the rest. Scanned from the end, each edge pairs with the nearest
// earlier copy.
void drop_shared(std::vector<Edge>& edges) {
  std::vector<bool> gone(edges.size(), false);
  for (size_t a = edges.size(); a-- > 0;) {
    if (gone[a]) continue;
    for (size_t b = a; b-- > 0;) {
      if (gone[b]) continue;
      const bool same = (edges[a][0] == edges[b][0] && edges[a][1] == edges[b][1]) ||
                        (edges[a][0] == edges[b][1] && edges[a][1] == edges[b][0]);
      if (same) {
        gone[a] = gone[b] = true;
        break;
      }
    }
  }
  size_t out = 0;
  for (size_t a = 0; a < edges.size(); ++a) {
    if (!gone[a]) edges[out++] = edges[a];
  }
  edges.resize(out);
}

// Order of insertion: ascending x; equal x, higher index first.
std::vector<int> insertion_order(const std::vector<Point>& v) {
  std::vector<int> idx(v.size());
  for (size_t i = 0; i < v.size(); ++i) idx[i] = static_cast<int>(i);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return v[a].x > v[b].x; });
  std::reverse(idx.begin(), idx.end());
  return idx;
}

Error coincident() { return Error(ErrorKind::kInvalidArgument, "Delaunay triangulation: coincident points"); }

}  // namespace

Result<std::vector<Triangle>> triangulate(const std::vector<Point>& points) {
  const int n = static_cast<int>(points.size());
  if (n < 3) return std::vector<Triangle>{};
  std::vector<Point> v = points;
  for (const Point& p : super_triangle(points)) v.push_back(p);

  auto first = circumcircle(v, n, n + 1, n + 2);
  if (!first) return coincident();
  std::vector<Circle> open{*first}, closed;
  std::vector<Edge> edges;
  for (int c : insertion_order(points)) {
    edges.clear();
    for (size_t j = open.size(); j-- > 0;) {
      const Circle& t = open[j];
      const double dx = v[c].x - t.x;
      if (dx > 0.0 && dx * dx > t.r2) {  // wholly left of this and every later point
        closed.push_back(t);
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(j));
        continue;
      }
      const double dy = v[c].y - t.y;
      if (dx * dx + dy * dy - t.r2 > kEpsilon) continue;
      edges.push_back({t.i, t.j});
      edges.push_back({t.j, t.k});
      edges.push_back({t.k, t.i});
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(j));
    }
    drop_shared(edges);
    for (size_t e = edges.size(); e-- > 0;) {
      auto circle = circumcircle(v, edges[e][0], edges[e][1], c);
      if (!circle) return coincident();
      open.push_back(*circle);
    }
  }
  for (size_t i = open.size(); i-- > 0;) closed.push_back(open[i]);

  std::vector<Triangle> out;
  for (size_t i = closed.size(); i-- > 0;) {
    const Circle& t = closed[i];
    if (t.i < n && t.j < n && t.k < n) out.push_back({t.i, t.j, t.k});
  }
  return out;
}

}  // namespace imgflo::canvas
