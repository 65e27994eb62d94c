#include "runtime/ops/blur_planes.h"

#include "runtime/ops/blur_lines.h"
#include "runtime/parallel.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>
#include <vector>

namespace imgflo::runtime::ops::blur {

namespace {

constexpr int kRowsPerLine = 8;        // rows filtered side by side in the horizontal pass
constexpr int kRowsPerJob = 16;        // rows read from the input at a time
constexpr int kColumnsPerLine = 16;    // columns filtered side by side by the vertical FIR
constexpr int kColumnsPerStrip = 256;  // columns streamed together by the vertical IIR

using Scratch = std::vector<double>;

// One axis' filter for lines of up to max_lanes lanes.
class LineFilter {
 public:
  LineFilter(const Axis& axis, const Edges& edges, int channels, LineShape shape, int max_lanes)
      : iir_(axis.resolved() == Filter::kIir), shape_(shape), lanes_(max_lanes), colour_(max_lanes) {
    if (iir_) {
      coeff_ = iir_coefficients(axis.sigma);
    } else {
      kernel_ = fir_kernel(axis.sigma);
    }
    for (int l = 0; l < max_lanes; ++l) colour_[l] = edges.colour[l % channels];
    edges_ = {edges.policy == Abyss::kClamp, colour_.data()};
  }

  LineFilter(const LineFilter&) = delete;  // edges_ points into colour_
  LineFilter& operator=(const LineFilter&) = delete;

  bool iir() const { return iir_; }
  size_t line_scratch() const {
    return iir_ ? iir_line_scratch(shape_, lanes_) : fir_line_scratch(shape_, kernel_.size(), lanes_);
  }
  void line(const LineLayout& lay, Scratch& s) const {
    if (iir_) {
      iir_line(coeff_, lay, shape_, edges_, s.data());
    } else {
      fir_line(kernel_, lay, shape_, edges_, s.data());
    }
  }
  // REQUIRES: iir(); lanes <= max_lanes.
  void rows(const FloatPlane& img, int row0, size_t lane0, int lanes, Scratch& s, const CausalCarry& carry) const {
    iir_rows(coeff_, img, row0, lane0, lanes, shape_, edges_, s.data(), carry);
  }

 private:
  bool iir_;
  LineShape shape_;
  int lanes_;
  std::vector<double> colour_;  // constant abyss value per lane
  LineEdges edges_;
  IirCoefficients coeff_;
  std::vector<float> kernel_;
};

// Scratch per worker, allocated before the threads start (jobs never throw);
// its size is the most workers the pass may use.
std::vector<Scratch> worker_scratch(int jobs, size_t size) {
  return std::vector<Scratch>(parallel_workers(jobs), Scratch(size));
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

std::optional<Error> blur_rows(const RowReader& src, int width, int height, const FloatPlane& dst, int dst_row0,
                               const Axis& axis, const Edges& edges, const Stop& stop) {
  const int nc = dst.channels;
  const bool copy = axis.is_identity();
  const LineFilter filter(axis, edges, nc, LineShape{width, dst.width, axis.growth()}, kRowsPerLine * nc);
  const int jobs = (height + kRowsPerJob - 1) / kRowsPerJob;
  std::vector<Scratch> scratch = worker_scratch(jobs, copy ? 0 : filter.line_scratch());
  std::atomic<bool> failed{false};

  // Input rows [y0, y0 + in.height), as lines of kRowsPerLine rows.
  auto blur_band = [&](int y0, const FloatPlane& in, Scratch& s) {
    for (int r = 0; r < in.height; r += kRowsPerLine) {
      const int n = std::min(kRowsPerLine, in.height - r);
      if (copy) {
        for (int k = r; k < r + n; ++k) std::memcpy(dst.row(y0 + k + dst_row0), in.row(k), sizeof(float) * nc * width);
        continue;
      }
      LineLayout lay;
      lay.in = in.row(r);
      lay.out = dst.row(y0 + r + dst_row0);
      lay.groups = n;
      lay.group_lanes = nc;
      lay.in_group_stride = in.stride;
      lay.out_group_stride = dst.stride;
      lay.sample_stride = nc;
      filter.line(lay, s);
    }
  };
  auto pass = [&](int j, int worker) {
    const int y0 = j * kRowsPerJob, n = std::min(kRowsPerJob, height - y0);
    if (!src(y0, n, [&](const FloatPlane& in) { blur_band(y0, in, scratch[worker]); })) failed = true;
  };
  auto e = parallel_for(jobs, stop, pass, static_cast<int>(scratch.size()));
  if (e) return e;
  if (failed) return Error(ErrorKind::kProcessingFailed, "computing the pixels to blur failed");
  return std::nullopt;
}

std::optional<Error> blur_columns(const FloatPlane& img, const Axis& axis, const Edges& edges, const Stop& stop) {
  if (axis.is_identity()) return stop.check();
  if (axis.resolved() == Filter::kIir) return blur_column_window(img, 0, img.height, axis, edges, stop);
  const int nc = img.channels, g = axis.growth();
  const LineFilter filter(axis, edges, nc, LineShape{img.height - 2 * g, img.height, g}, kColumnsPerLine * nc);
  const int jobs = (img.width + kColumnsPerLine - 1) / kColumnsPerLine;
  std::vector<Scratch> scratch = worker_scratch(jobs, filter.line_scratch());
  auto pass = [&](int j, int worker) {
    const int x = j * kColumnsPerLine;
    LineLayout lay;
    lay.in = img.row(g) + static_cast<size_t>(x) * nc;
    lay.out = img.row(0) + static_cast<size_t>(x) * nc;
    lay.group_lanes = std::min(kColumnsPerLine, img.width - x) * nc;
    lay.sample_stride = img.stride;
    filter.line(lay, scratch[worker]);
  };
  return parallel_for(jobs, stop, pass, static_cast<int>(scratch.size()));
}

std::optional<Error> blur_column_window(const FloatPlane& win, int row0, int rows, const Axis& axis,
                                        const Edges& edges, const Stop& stop, const CausalCarry& carry) {
  const int nc = win.channels, g = axis.growth();
  const LineFilter filter(axis, edges, nc, LineShape{rows - 2 * g, rows, g}, kColumnsPerStrip * nc);
  const int jobs = (win.width + kColumnsPerStrip - 1) / kColumnsPerStrip;
  std::vector<Scratch> scratch = worker_scratch(jobs, iir_rows_scratch(kColumnsPerStrip * nc));
  auto pass = [&](int j, int worker) {
    const int x = j * kColumnsPerStrip, lanes = std::min(kColumnsPerStrip, win.width - x) * nc;
    const size_t lane0 = static_cast<size_t>(x) * nc;
    CausalCarry block;  // this block's lanes of the carried states
    if (carry.in) block.in = carry.in + 3 * lane0;
    if (carry.out) block.out = carry.out + 3 * lane0;
    block.out_row = carry.out_row;
    filter.rows(win, row0, lane0, lanes, scratch[worker], block);
  };
  return parallel_for(jobs, stop, pass, static_cast<int>(scratch.size()));
}

}  // namespace imgflo::runtime::ops::blur
