#include "runtime/dominant_colour.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

namespace imgflo::runtime {

namespace {

double lab_f(double t) {
  constexpr double kEpsilon = 216.0 / 24389.0;
  constexpr double kKappa = 24389.0 / 27.0;
  return t > kEpsilon ? std::cbrt(t) : (kKappa * t + 16) / 116;
}

// Running sums of one cluster.
struct Cluster {
  Lab centre;
  double n = 0;
  double l = 0, a = 0, b = 0;
  double r = 0, g = 0, bl = 0;
  void add(const Lab& p, Rgb8 c) {
    n += 1;
    l += p.l, a += p.a, b += p.b;
    r += c.r, g += c.g, bl += c.b;
  }
  void absorb(const Cluster& o) {
    n += o.n;
    l += o.l, a += o.a, b += o.b;
    r += o.r, g += o.g, bl += o.bl;
  }
  Lab mean_lab() const { return n > 0 ? Lab{l / n, a / n, b / n} : centre; }
};

size_t nearest(const std::vector<Cluster>& cs, const Lab& p) {
  size_t best = 0;
  double best_d = std::numeric_limits<double>::max();
  for (size_t k = 0; k < cs.size(); ++k) {
    const double d = delta_e76(cs[k].centre, p);
    if (d < best_d) best_d = d, best = k;
  }
  return best;
}

// The mean, then the pixel farthest from every centre so far, until k.
std::vector<Cluster> farthest_point_start(const std::vector<Lab>& px, size_t k) {
  Cluster all;
  for (const Lab& p : px) all.add(p, {});
  std::vector<Cluster> cs{Cluster{all.mean_lab()}};
  std::vector<double> dist(px.size());
  for (size_t i = 0; i < px.size(); ++i) dist[i] = delta_e76(px[i], cs[0].centre);
  while (cs.size() < k) {
    const size_t far = static_cast<size_t>(std::max_element(dist.begin(), dist.end()) - dist.begin());
    if (dist[far] <= 0) break;  // fewer distinct colours than k
    cs.push_back(Cluster{px[far]});
    for (size_t i = 0; i < px.size(); ++i) dist[i] = std::min(dist[i], delta_e76(px[i], px[far]));
  }
  return cs;
}

// Lloyd rounds; returns the final clusters with their sums.
std::vector<Cluster> lloyd(const std::vector<Lab>& px, const RgbView& image, std::vector<Cluster> cs) {
  std::vector<size_t> label(px.size(), SIZE_MAX);
  for (int round = 0; round < kDominantIterations; ++round) {
    bool changed = false;
    for (size_t i = 0; i < px.size(); ++i) {
      const size_t k = nearest(cs, px[i]);
      changed |= k != label[i];
      label[i] = k;
    }
    for (auto& c : cs) c = Cluster{c.centre};
    for (size_t i = 0; i < px.size(); ++i) {
      const uint8_t* s = image.data + 3 * i;
      cs[label[i]].add(px[i], {s[0], s[1], s[2]});
    }
    for (auto& c : cs) c.centre = c.mean_lab();
    if (!changed) break;
  }
  return cs;
}

// Merges the closest pair of clusters while it is closer than the threshold.
void merge_close(std::vector<Cluster>& cs) {
  for (;;) {
    size_t bi = 0, bj = 0;
    double best = kDominantMergeDeltaE;
    for (size_t i = 0; i < cs.size(); ++i) {
      for (size_t j = i + 1; j < cs.size(); ++j) {
        const double d = delta_e76(cs[i].centre, cs[j].centre);
        if (d < best) best = d, bi = i, bj = j;
      }
    }
    if (bi == bj) return;
    cs[bi].absorb(cs[bj]);
    cs[bi].centre = cs[bi].mean_lab();
    cs.erase(cs.begin() + static_cast<std::ptrdiff_t>(bj));
  }
}

}  // namespace

Lab lab_from_srgb(Rgb8 c) {
  const double r = srgb_level_to_linear(c.r), g = srgb_level_to_linear(c.g), b = srgb_level_to_linear(c.b);
  // sRGB (D65) -> XYZ, each divided by the D65 white (0.95047, 1, 1.08883).
  const double x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  const double z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883;
  const double fx = lab_f(x), fy = lab_f(y), fz = lab_f(z);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

double delta_e76(const Lab& x, const Lab& y) {
  return std::sqrt((x.l - y.l) * (x.l - y.l) + (x.a - y.a) * (x.a - y.a) + (x.b - y.b) * (x.b - y.b));
}

Rgb8 dominant_colour(const RgbView& image) {
  const size_t n = static_cast<size_t>(image.width) * image.height;
  std::vector<Lab> px(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* s = image.data + 3 * i;
    px[i] = lab_from_srgb({s[0], s[1], s[2]});
  }
  std::vector<Cluster> cs = lloyd(px, image, farthest_point_start(px, std::min<size_t>(kDominantClusters, n)));
  merge_close(cs);
  const Cluster& top = *std::max_element(cs.begin(), cs.end(), [](const Cluster& x, const Cluster& y) { return x.n < y.n; });
  auto mean = [&](double sum) { return static_cast<uint8_t>(std::lround(sum / top.n)); };
  return {mean(top.r), mean(top.g), mean(top.bl)};
}

std::string hex_colour(Rgb8 c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

}  // namespace imgflo::runtime
