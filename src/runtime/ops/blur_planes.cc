#include "runtime/ops/blur_planes.h"

#include "runtime/ops/parallel_jobs.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

namespace imgflo::runtime::ops::blur {

namespace {

constexpr int kRowsPerLine = 4;      // rows filtered side by side in the horizontal pass
constexpr int kColumnsPerLine = 16;  // columns filtered side by side in the vertical pass

using Scratch = std::vector<double>;

// Where the samples of one line live: `groups` runs of `group_lanes`
// contiguous floats; sample i of group g is at in + g * in_group_stride +
// i * sample_stride (likewise for out).
struct LineLayout {
  const float* in = nullptr;
  float* out = nullptr;
  int groups = 1;
  int group_lanes = 0;
  size_t in_group_stride = 0;
  size_t out_group_stride = 0;
  size_t sample_stride = 0;

  int lanes() const { return groups * group_lanes; }

  void load(int i, double* dst) const {
    for (int g = 0; g < groups; ++g) {
      const float* p = in + g * in_group_stride + static_cast<size_t>(i) * sample_stride;
      for (int c = 0; c < group_lanes; ++c) dst[g * group_lanes + c] = p[c];
    }
  }
  void store(int k, const double* src) const {
    for (int g = 0; g < groups; ++g) {
      float* p = out + g * out_group_stride + static_cast<size_t>(k) * sample_stride;
      for (int c = 0; c < group_lanes; ++c) p[c] = static_cast<float>(src[g * group_lanes + c]);
    }
  }
};

// Line lengths: n_in input samples give n_out = n_in + 2 * pad output samples.
struct LineShape {
  int n_in = 0;
  int n_out = 0;
  int pad = 0;
};

// One axis' filter, ready to run on lines of up to max_lanes lanes.
class LineFilter {
 public:
  LineFilter(const Axis& axis, const Edges& edges, int channels, LineShape shape, int max_lanes)
      : iir_(axis.resolved() == Filter::kIir), shape_(shape), clamp_(edges.policy == Abyss::kClamp),
        lanes_(max_lanes), colour_(max_lanes) {
    if (iir_) {
      coeff_ = iir_coefficients(axis.sigma);
    } else {
      kernel_ = fir_kernel(axis.sigma);
    }
    for (int l = 0; l < max_lanes; ++l) colour_[l] = edges.colour[l % channels];
  }

  size_t scratch_size() const {
    const size_t n = shape_.n_out;
    const size_t per_lane = iir_ ? n + 6 + 2 : (n + kernel_.size() - 1) + n;
    return per_lane * lanes_;
  }

  void run(const LineLayout& lay, Scratch& s) const { iir_ ? run_iir(lay, s) : run_fir(lay, s); }

 private:
  void run_iir(const LineLayout& lay, Scratch& s) const {
    const int L = lay.lanes(), n = shape_.n_out;
    double* line = s.data();
    double* left = line + static_cast<size_t>(n + 6) * L;
    double* right = left + L;
    for (int k = 0; k < n; ++k) {
      double* slot = line + static_cast<size_t>(k + 3) * L;
      const int i = k - shape_.pad;
      if (i >= 0 && i < shape_.n_in) {
        lay.load(i, slot);
      } else {
        std::fill(slot, slot + L, 0.0);
      }
    }
    const double* first = line + 3 * static_cast<size_t>(L);
    const double* last = line + static_cast<size_t>(n + 2) * L;
    for (int l = 0; l < L; ++l) {
      left[l] = clamp_ ? first[l] : colour_[l];
      right[l] = clamp_ ? last[l] : colour_[l];
    }
    iir_line(coeff_, line, n, L, left, right);
    for (int k = 0; k < n; ++k) lay.store(k, line + static_cast<size_t>(k + 3) * L);
  }

  void run_fir(const LineLayout& lay, Scratch& s) const {
    const int L = lay.lanes(), n = shape_.n_out;
    const int half = static_cast<int>(kernel_.size()) / 2;
    const int n_ext = n + 2 * half;
    double* ext = s.data();
    double* res = ext + static_cast<size_t>(n_ext) * L;
    for (int e = 0; e < n_ext; ++e) {
      double* slot = ext + static_cast<size_t>(e) * L;
      const int i = e - shape_.pad - half;
      if (i >= 0 && i < shape_.n_in) {
        lay.load(i, slot);
      } else if (clamp_) {
        lay.load(std::clamp(i, 0, shape_.n_in - 1), slot);
      } else {
        std::copy(colour_.begin(), colour_.begin() + L, slot);
      }
    }
    fir_line(kernel_, ext, n, L, res);
    for (int k = 0; k < n; ++k) lay.store(k, res + static_cast<size_t>(k) * L);
  }

  bool iir_;
  LineShape shape_;
  bool clamp_;
  int lanes_;
  std::vector<double> colour_;  // constant abyss value per lane
  IirCoefficients coeff_;
  std::vector<float> kernel_;
};

// Runs the filter over `jobs` lines described by layout(j), each worker with
// its own scratch (allocated here, so the jobs never throw).
std::optional<Error> run_lines(const LineFilter& filter, int jobs, const Stop& stop,
                               const std::function<LineLayout(int)>& layout) {
  std::vector<Scratch> scratch(parallel_workers(jobs), Scratch(filter.scratch_size()));
  return parallel_jobs(jobs, stop, [&](int j, int worker) { filter.run(layout(j), scratch[worker]); });
}

}  // namespace

Edges make_edges(Abyss policy, int channels, bool has_alpha) {
  Edges e;
  e.policy = policy;
  const float colour = policy == Abyss::kWhite ? 1.0f : 0.0f;
  const float alpha = policy == Abyss::kNone ? 0.0f : 1.0f;
  for (int c = 0; c < channels; ++c) e.colour[c] = colour;
  if (has_alpha) e.colour[channels - 1] = alpha;
  return e;
}

std::optional<Error> blur_rows(const FloatPlane& src, const FloatPlane& dst, int dst_row0, const Axis& axis,
                               const Edges& edges, const Stop& stop) {
  const int nc = src.channels;
  if (axis.is_identity()) {
    if (auto e = stop.check()) return e;
    for (int y = 0; y < src.height; ++y) {
      std::memcpy(dst.row(y + dst_row0), src.row(y), sizeof(float) * nc * src.width);
    }
    return std::nullopt;
  }
  const LineFilter filter(axis, edges, nc, {src.width, dst.width, axis.growth()}, kRowsPerLine * nc);
  const int jobs = (src.height + kRowsPerLine - 1) / kRowsPerLine;
  return run_lines(filter, jobs, stop, [&](int j) {
    const int y = j * kRowsPerLine;
    LineLayout lay;
    lay.in = src.row(y);
    lay.out = dst.row(y + dst_row0);
    lay.groups = std::min(kRowsPerLine, src.height - y);
    lay.group_lanes = nc;
    lay.in_group_stride = src.stride;
    lay.out_group_stride = dst.stride;
    lay.sample_stride = nc;
    return lay;
  });
}

std::optional<Error> blur_columns(const FloatPlane& img, int row0, int rows, const Axis& axis, const Edges& edges,
                                  const Stop& stop) {
  if (axis.is_identity()) return stop.check();
  const int nc = img.channels;
  const LineFilter filter(axis, edges, nc, {rows, img.height, axis.growth()}, kColumnsPerLine * nc);
  const int jobs = (img.width + kColumnsPerLine - 1) / kColumnsPerLine;
  return run_lines(filter, jobs, stop, [&](int j) {
    const int x = j * kColumnsPerLine;
    LineLayout lay;
    lay.in = img.row(row0) + static_cast<size_t>(x) * nc;
    lay.out = img.row(0) + static_cast<size_t>(x) * nc;
    lay.group_lanes = std::min(kColumnsPerLine, img.width - x) * nc;
    lay.sample_stride = img.stride;
    return lay;
  });
}

}  // namespace imgflo::runtime::ops::blur
