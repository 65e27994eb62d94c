// gegl/noise-reduction: edge-preserving ("anisotropic") smoothing in
// perceptual "R'G'B'A float", `iterations` passes, alpha copied.
//
// Per colour channel and pixel with value c and its 8 neighbours, the four
// axes (horizontal, vertical, two diagonals) each have a metric
// (2c - before - after)^2. Each neighbour n proposes v = (n + c) / 2; v is
// accepted when, with c replaced by v, no axis metric grows. The pixel
// becomes the mean of c and the accepted proposals.
//
// GEGL details kept: the working area is the image grown by `iterations`
// pixels on every side (outside the image: transparent black, i.e. 0);
// each pass updates the area in place, row by row, left to right, so a pixel
// already sees the new values of the pixels above and to its left; pass k
// (from 0) covers the area minus a 1-pixel border on the top and left and
// 2(k+1) - 1 pixels on the bottom and right, so the last rows and columns
// of the image get fewer passes. The image is processed as one region
// (GEGL gives the same result when it renders the whole image as one chunk).
//
// GEGL 0.3.10 default: iterations 4 (0..32); 0 passes the input through
// untouched. Extent and origin unchanged.
//
// Streaming. Pass k updates area row y from row y - 1 (already through pass
// k), row y itself (through pass k - 1, left part through pass k) and row
// y + 1 (through pass k - 1), so the passes run as a wavefront from the top:
// at step s, pass k (k ascending) updates row s - k. Each row then sees
// exactly the values the whole-area scan shows it, so the result is the same
// bit for bit, and area row a is final after step a + iterations - 1. The
// scan keeps iterations + a batch of area rows per channel and the last
// kKeptRows output rows; libvips asks for tiles roughly top to bottom, and a
// request above the kept rows restarts the scan from the top (exact) with
// twice as many rows kept, so a consumer reaching further back (a blur's
// overlap) costs a few restarts, at most the whole image kept.
// Tiles are served under a lock; the three channels of a batch of steps are
// computed in parallel.
#include "runtime/ops/float_image.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/tiled.h"
#include "runtime/parallel.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace imgflo::runtime::ops {

namespace {

constexpr int kBatchSteps = 64;  // wavefront steps (input rows read) per batch
constexpr int kKeptRows = 384;   // output rows kept at first for tiles behind the scan
constexpr int kChannels = 4;     // R', G', B' smoothed, A copied

float axis_metric(float before, float centre, float after) {
  const float d = centre * 2 - before - after;
  return d * d;
}

// The smoothed value of the pixel at `c`, with the rows above and below
// (`up`, `down`, same column).
float smooth_pixel(const float* up, const float* c, const float* down) {
  // Neighbours in GEGL's order; neighbour i and 7 - i lie on one axis.
  const float n[8] = {up[-1], up[0], up[1], c[-1], c[1], down[-1], down[0], down[1]};
  float reference[4];
  for (int axis = 0; axis < 4; ++axis) reference[axis] = axis_metric(n[axis], *c, n[7 - axis]);
  float sum = *c;
  int count = 1;
  for (float neighbour : n) {
    const float proposal = neighbour * 0.5f + *c * 0.5f;
    bool smooth = true;
    for (int axis = 0; axis < 4 && smooth; ++axis) {
      smooth = axis_metric(n[axis], proposal, n[7 - axis]) <= reference[axis];
    }
    if (smooth) {
      sum += proposal;
      ++count;
    }
  }
  return sum / count;
}

// One channel's most recent rows of the working area; area row a lives in
// slot a % rows.
class RingPlane {
 public:
  RingPlane(int width, int rows) : width_(width), rows_(rows), values_(static_cast<size_t>(width) * rows) {}
  float* row(int a) { return values_.data() + static_cast<size_t>(a % rows_) * width_; }

 private:
  int width_, rows_;
  std::vector<float> values_;
};

// The scan of one image (see the top of the file). Thread-safe.
class NoiseScan {
 public:
  NoiseScan(RowReader input, int width, int height, int iterations)
      : input_(std::move(input)),
        width_(width),
        height_(height),
        iterations_(iterations),
        area_width_(width + 2 * iterations),
        area_height_(height + 2 * iterations),
        planes_(kChannels, RingPlane(area_width_, kBatchSteps + iterations + 2)),
        kept_rows_(std::min(kKeptRows, height)),
        kept_(static_cast<size_t>(kept_rows_) * width * kChannels) {}

  // Copies the output pixels of `out` from the scan; false when the input
  // could not be read or `stop` was requested.
  bool fill(const OutputTile& out, const Stop& stop) {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (int y = out.area.y; y < out.area.bottom();) {
      if (y < done() - kept_rows_) restart();
      // Rows still kept after producing them (a batch may overshoot).
      const int end = std::min(out.area.bottom(), y + std::max(1, kept_rows_ - kBatchSteps));
      if (!produce_until(end, stop)) return false;
      for (; y < end; ++y) {
        const float* src = kept_row(y) + static_cast<size_t>(out.area.x) * kChannels;
        std::memcpy(out.at(out.area.x, y), src, sizeof(float) * kChannels * out.area.width);
      }
    }
    return true;
  }

 private:
  // Output rows [0, done()) have been computed (the last kept_rows_ are kept).
  int done() const { return std::clamp(next_step_ - 2 * iterations_ + 1, 0, height_); }
  float* kept_row(int y) { return kept_.data() + static_cast<size_t>(y % kept_rows_) * width_ * kChannels; }

  void restart() {
    kept_rows_ = std::min(2 * kept_rows_, height_);
    spdlog::debug("noise-reduction: a tile above the kept rows, scanning again from the top, keeping {} rows",
                  kept_rows_);
    kept_.resize(static_cast<size_t>(kept_rows_) * width_ * kChannels);
    next_step_ = 1;
    loaded_ = 0;
  }

  bool produce_until(int rows, const Stop& stop) {
    while (done() < rows) {
      if (stop.requested() || !run_batch(stop)) return false;
    }
    return true;
  }

  // Steps [next_step_, next_step_ + kBatchSteps), at most to the last one.
  bool run_batch(const Stop& stop) {
    const int s0 = next_step_, s1 = std::min(s0 + kBatchSteps, area_height_ - 1);
    if (!load_rows(std::min(s1 + 1, area_height_))) return false;
    auto channel = [&](int c, int) {
      for (int s = s0; s < s1; ++s) {
        for (int pass = 0; pass < iterations_; ++pass) update_row(planes_[c], pass, s - pass);
      }
    };
    if (parallel_for(3, stop, channel)) return false;
    for (int s = s0; s < s1; ++s) finish_area_row(s - iterations_ + 1);
    next_step_ = s1;
    return true;
  }

  // Pass `pass` over area row `a`, in place, left to right (when the pass covers it).
  void update_row(RingPlane& p, int pass, int a) const {
    const int extent_rows = height_ + 2 * (iterations_ - 1 - pass);
    if (a < 1 || a > extent_rows) return;
    const int columns = width_ + 2 * (iterations_ - 1 - pass);
    const float* up = p.row(a - 1) + 1;
    float* c = p.row(a) + 1;
    const float* down = p.row(a + 1) + 1;
    for (int x = 0; x < columns; ++x) c[x] = smooth_pixel(up + x, c + x, down + x);
  }

  // Area rows [loaded_, end) into the planes: the image's pixels, 0 around them.
  bool load_rows(int end) {
    for (int a = loaded_; a < end; ++a) {
      for (RingPlane& p : planes_) std::fill_n(p.row(a), area_width_, 0.0f);
    }
    const int first = std::max(loaded_, iterations_), last = std::min(end, iterations_ + height_);
    const bool ok = first >= last || input_(first - iterations_, last - first, [&](const FloatPlane& rows) {
      for (int a = first; a < last; ++a) {
        const float* s = rows.row(a - first);
        for (int c = 0; c < kChannels; ++c) {
          float* d = planes_[c].row(a) + iterations_;
          for (int x = 0; x < width_; ++x) d[x] = s[x * kChannels + c];
        }
      }
    });
    loaded_ = end;
    return ok;
  }

  // Copies final area row `a` into the kept output rows (when it is an image row).
  void finish_area_row(int a) {
    const int y = a - iterations_;
    if (y < 0 || y >= height_) return;
    float* d = kept_row(y);
    for (int c = 0; c < kChannels; ++c) {
      const float* s = planes_[c].row(a) + iterations_;
      for (int x = 0; x < width_; ++x) d[x * kChannels + c] = s[x];
    }
  }

  std::mutex mutex_;
  RowReader input_;
  const int width_, height_, iterations_, area_width_, area_height_;
  std::vector<RingPlane> planes_;  // guarded by mutex_, like the state below
  int kept_rows_;  // output row y is kept in row y % kept_rows_ of kept_
  std::vector<float> kept_;
  int next_step_ = 1;  // the next wavefront step
  int loaded_ = 0;     // area rows [0, loaded_) have been loaded
};

class NoiseReduction final : public SpecOp {
 public:
  NoiseReduction()
      : SpecOp({"gegl/noise-reduction",
                "Anisotropic smoothing operation",
                {"input"},
                {PropSpec::integer("iterations",
                                   "Controls the number of iterations; lower values give less plastic results", 4, 0,
                                   32)}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/noise-reduction has no input");
    const int iterations = static_cast<int>(p.integer("iterations"));
    if (iterations == 0) return *in.input;
    const Image src = convert(*in.input, fmt::kRpGpBpAFloat);
    if (auto e = ctx.check_size(int64_t{src.width()} + 2 * iterations, int64_t{src.height()} + 2 * iterations)) {
      return *e;
    }
    auto scan = std::make_shared<NoiseScan>(region_rows(src.pixels), src.width(), src.height(), iterations);
    auto out = filled_image(src.pixels, src.width(), src.height(), kChannels, ctx.stop(),
                            [scan](const OutputTile& tile, const Stop& stop) { return scan->fill(tile, stop); });
    if (!out.ok()) return out.take_error();
    return Image{*out, fmt::kRpGpBpAFloat, src.x, src.y};
  }
};

}  // namespace

std::unique_ptr<Op> make_noise_reduction() { return std::make_unique<NoiseReduction>(); }

}  // namespace imgflo::runtime::ops
