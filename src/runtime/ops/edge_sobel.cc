// gegl/edge-sobel: per-channel Sobel gradients on linear "RGBA float".
//
//   Gx = [-1 0 1; -2 0 2; -1 0 1] * P     Gy = [1 2 1; 0 0 0; -1 -2 -1] * P
//   both directions:    c = sqrt(Gx^2 + Gy^2) / sqrt(32)
//   one direction:      c = 0.5 + G / 8 with keep-sign, |G| / 4 without
//                       (GEGL 0.4.42's scaling, also in 0.3-era sources)
//   alpha = the centre pixel's alpha (output "RGB float" when the input has
//   no alpha, "RGBA float" otherwise).
// Pixels outside the input are transparent black. Area filter: the extent
// grows by 1 pixel on every side, and GEGL centres the output pixel at
// (x, y) on the input pixel (x - 1, y - 1) (measured with GEGL 0.4.42; the
// 0.3.10 source reads its buffers the same way), so the edge map sits one
// pixel right of and below the image: the first row and column are zero
// (alpha 0 for inputs with alpha), the last ones carry the gradient of the
// image border.
// Defaults (GEGL): horizontal true, vertical true, keep-sign true.
#include "runtime/ops/float_image.h"
#include "runtime/ops/ops.h"
#include "runtime/parallel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

namespace imgflo::runtime::ops {

namespace {

constexpr int kRowsPerJob = 16;

struct SobelOptions {
  bool horizontal = true;
  bool vertical = true;
  bool keep_sign = true;
  bool has_alpha = false;
};

// Output rows [j0, j0 + n) need input rows j0 - 3 .. j0 + n - 2 and columns
// -3 .. W: copied into `band` (n + 2 rows of W + 4 pixels), zero outside.
// False when the input rows cannot be read.
bool load_band(const RowReader& in, int width, int height, int nc, int j0, int n, std::vector<float>& band) {
  const size_t row_len = static_cast<size_t>(width + 4) * nc;
  std::fill(band.begin(), band.end(), 0.0f);
  const int y_lo = std::max(0, j0 - 3), y_hi = std::min(height, j0 + n - 1);
  if (y_lo >= y_hi) return true;
  return in(y_lo, y_hi - y_lo, [&](const FloatPlane& rows) {
    for (int y = y_lo; y < y_hi; ++y) {
      float* dst = band.data() + (y - (j0 - 3)) * row_len + 3 * nc;
      std::memcpy(dst, rows.row(y - y_lo), sizeof(float) * nc * width);
    }
  });
}

float combine(float gx, float gy, const SobelOptions& o) {
  if (o.horizontal && o.vertical) return std::sqrt(gx * gx + gy * gy) / std::sqrt(32.0f);
  const float g = gx + gy;
  return o.keep_sign ? 0.5f + g / 8.0f : std::fabs(g) / 4.0f;
}

// One output row from three band rows (above, centre, below).
void sobel_row(const float* up, const float* mid, const float* down, int width, int nc, const SobelOptions& o,
               float* out) {
  for (int i = 0; i < width; ++i) {
    const int L = i * nc, C = L + nc, R = C + nc;
    for (int c = 0; c < 3; ++c) {
      float gx = 0.0f, gy = 0.0f;
      if (o.horizontal) {
        gx += -up[L + c] + up[R + c];
        gx += -2.0f * mid[L + c] + 2.0f * mid[R + c];
        gx += -down[L + c] + down[R + c];
      }
      if (o.vertical) {
        gy += up[L + c] + 2.0f * up[C + c] + up[R + c];
        gy += -down[L + c] - 2.0f * down[C + c] - down[R + c];
      }
      out[i * nc + c] = combine(gx, gy, o);
    }
    if (o.has_alpha) out[i * nc + 3] = mid[C + 3];
  }
}

// The edge map of the width x height input read through `in` into `out`
// ((width + 2) x (height + 2)).
std::optional<Error> sobel(const RowReader& in, int width, int height, const FloatPlane& out, const SobelOptions& o,
                           const Stop& stop) {
  const int nc = out.channels;
  const int jobs = (out.height + kRowsPerJob - 1) / kRowsPerJob;
  const size_t row_len = static_cast<size_t>(width + 4) * nc;
  std::vector<std::vector<float>> bands(parallel_workers(jobs), std::vector<float>(row_len * (kRowsPerJob + 2)));
  std::atomic<bool> failed{false};
  auto band_of_rows = [&](int job, int worker) {
    const int j0 = job * kRowsPerJob, n = std::min(kRowsPerJob, out.height - j0);
    std::vector<float>& band = bands[worker];
    if (!load_band(in, width, height, nc, j0, n, band)) {
      failed = true;
      return;
    }
    for (int r = 0; r < n; ++r) {
      const float* up = band.data() + r * row_len;
      sobel_row(up, up + row_len, up + 2 * row_len, out.width, nc, o, out.row(j0 + r));
    }
  };
  auto e = parallel_for(jobs, stop, band_of_rows, static_cast<int>(bands.size()));
  if (e) return e;
  if (failed) return Error(ErrorKind::kProcessingFailed, "computing the pixels for edge detection failed");
  return std::nullopt;
}

class EdgeSobel final : public SpecOp {
 public:
  EdgeSobel()
      : SpecOp({"gegl/edge-sobel",
                "Specialized direction-dependent edge detection",
                {"input"},
                {PropSpec::boolean("horizontal", "Horizontal", true), PropSpec::boolean("vertical", "Vertical", true),
                 PropSpec::boolean("keep-sign",
                                   "Keep negative values in result; when off, the absolute value of the result is "
                                   "used instead.",
                                   true)}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/edge-sobel has no input");
    const SobelOptions o{p.boolean("horizontal"), p.boolean("vertical"), p.boolean("keep-sign"),
                         in.input->format.has_alpha()};
    const PixelFormat work = o.has_alpha ? fmt::kRGBAFloat : fmt::kRGBFloat;
    const Image src = convert(*in.input, work);
    if (auto e = ctx.check_size(int64_t{src.width()} + 2, int64_t{src.height()} + 2)) return *e;
    auto out = new_float_image(src.width() + 2, src.height() + 2, work.bands(), false);
    if (!out.ok()) return out.take_error();
    if (auto e = sobel(region_rows(src.pixels), src.width(), src.height(), out->plane, o, ctx.stop())) return *e;
    return Image{out->image, work, src.x - 1, src.y - 1};
  }
};

}  // namespace

std::unique_ptr<Op> make_edge_sobel() { return std::make_unique<EdgeSobel>(); }

}  // namespace imgflo::runtime::ops
