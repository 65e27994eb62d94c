// The triangulation against delaunay-fast's recorded output, and its
// properties on random point sets.
#include "canvas/delaunay.h"
#include "canvas/seedrandom.h"
#include "support/canvas_oracle.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

namespace imgflo::canvas {
namespace {

std::vector<Point> points_of(const nlohmann::json& arr) {
  std::vector<Point> pts;
  for (const auto& p : arr) pts.push_back({p.at(0).get<double>(), p.at(1).get<double>()});
  return pts;
}

std::vector<int> flat(const std::vector<Triangle>& ts) {
  std::vector<int> out;
  for (const auto& t : ts) out.insert(out.end(), t.begin(), t.end());
  return out;
}

// Same triangles, same order, same vertex order as the npm package.
TEST(Delaunay, EqualsDelaunayFastOnRecordedSets) {
  const auto& sets = test::canvas_oracle().at("triangulations");
  ASSERT_GE(sets.size(), 5u);
  for (const auto& s : sets) {
    auto tris = triangulate(points_of(s.at("points")));
    ASSERT_TRUE(tris.ok()) << s.at("name") << ": " << tris.error().message();
    EXPECT_EQ(flat(*tris), s.at("triangles").get<std::vector<int>>()) << s.at("name");
  }
}

TEST(Delaunay, FewerThanThreePointsGiveNothing) {
  auto t = triangulate({{0, 0}, {1, 1}});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->empty());
}

// delaunay-fast returns no triangles (and does not throw) for these.
TEST(Delaunay, CollinearAndDuplicatePointsGiveNothing) {
  for (const auto& pts : std::vector<std::vector<Point>>{
           {{0, 0}, {1, 0}, {2, 0}}, {{0, 0}, {1, 0}, {2, 0}, {3, 0}}, {{0, 0}, {0, 0}, {1, 1}}}) {
    auto t = triangulate(pts);
    ASSERT_TRUE(t.ok()) << t.error().message();
    EXPECT_TRUE(t->empty());
  }
}

double cross(const Point& a, const Point& b, const Point& c) {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

// > 0 when d lies strictly inside the circumcircle of the counter-clockwise a, b, c.
double in_circle(Point a, Point b, Point c, const Point& d) {
  if (cross(a, b, c) < 0) std::swap(b, c);
  const double ax = a.x - d.x, ay = a.y - d.y, bx = b.x - d.x, by = b.y - d.y, cx = c.x - d.x, cy = c.y - d.y;
  return (ax * ax + ay * ay) * (bx * cy - cx * by) - (bx * bx + by * by) * (ax * cy - cx * ay) +
         (cx * cx + cy * cy) * (ax * by - bx * ay);
}

void expect_delaunay(const std::vector<Point>& pts, const std::vector<Triangle>& tris, double scale) {
  std::set<int> used;
  std::map<std::pair<int, int>, int> edge_count;
  double area = 0;
  for (const auto& t : tris) {
    const double doubled = std::abs(cross(pts[t[0]], pts[t[1]], pts[t[2]]));
    EXPECT_GT(doubled, 1e-9 * scale * scale) << "degenerate triangle";
    area += doubled / 2;
    for (int k = 0; k < 3; ++k) {
      used.insert(t[k]);
      const int a = t[k], b = t[(k + 1) % 3];
      ++edge_count[{std::min(a, b), std::max(a, b)}];
    }
    for (size_t d = 0; d < pts.size(); ++d) {
      if (static_cast<int>(d) == t[0] || static_cast<int>(d) == t[1] || static_cast<int>(d) == t[2]) continue;
      // Relative tolerance: the determinant scales with the fourth power of the coordinates.
      ASSERT_LE(in_circle(pts[t[0]], pts[t[1]], pts[t[2]], pts[d]), 1e-9 * std::pow(scale, 4))
          << "point " << d << " inside a circumcircle";
    }
  }
  EXPECT_EQ(used.size(), pts.size()) << "every point is a vertex";
  int boundary = 0;
  for (const auto& [e, n] : edge_count) {
    EXPECT_LE(n, 2) << "an edge shared by more than two triangles";
    boundary += n == 1;
  }
  // Euler: a triangulation of n points with h on the hull has 2n - 2 - h triangles.
  EXPECT_EQ(static_cast<int>(tris.size()), 2 * static_cast<int>(pts.size()) - 2 - boundary);
  EXPECT_GT(area, 0);
}

TEST(Delaunay, PropertiesHoldOnRandomSets) {
  SeedRandom rng("delaunay properties");
  for (int round = 0; round < 20; ++round) {
    const int n = 3 + round * 15;
    const double scale = round % 2 ? 1000.0 : 1.0;
    std::vector<Point> pts;
    for (int i = 0; i < n; ++i) pts.push_back({rng.next() * scale, rng.next() * scale});
    auto tris = triangulate(pts);
    ASSERT_TRUE(tris.ok()) << tris.error().message();
    SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(n) + " points");
    expect_delaunay(pts, *tris, scale);
  }
}

}  // namespace
}  // namespace imgflo::canvas
