#include "runtime/ops/blur_lines.h"

#include <algorithm>

// The hot loops are compiled twice, for x86-64-v3 (AVX2, FMA) and the
// baseline, and picked at run time (results may differ in the last bits).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define IMGFLO_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define IMGFLO_VECTOR_CLONES
#endif

namespace imgflo::runtime::ops::blur {

namespace {

// The boundary value at one end of a line (right = the far end): the
// (padded) end sample, or the colour.
void line_edge(const LineLayout& lay, const LineShape& s, const LineEdges& e, bool right, double* dst) {
  const int L = lay.lanes();
  if (!e.clamp) {
    std::copy(e.colour, e.colour + L, dst);
  } else if (s.pad > 0) {
    std::fill(dst, dst + L, 0.0);
  } else {
    lay.load(right ? s.n_in - 1 : 0, dst);
  }
}

// The boundary values of a line.
void line_edges(const LineLayout& lay, const LineShape& s, const LineEdges& e, double* left, double* right) {
  line_edge(lay, s, e, false, left);
  line_edge(lay, s, e, true, right);
}

// The boundary values of the window of rows [row0, row0 + img.height) of a
// line (iir_rows): the line's edge rules at its ends, the window's end rows
// where it ends inside the line.
void window_edges(const FloatPlane& img, int row0, size_t lane0, int lanes, const LineShape& s, const LineEdges& e,
                  double* left, double* right) {
  LineLayout column;  // window row r is sample r
  column.in = img.row(0) + lane0;
  column.group_lanes = lanes;
  column.sample_stride = img.stride;
  const int last = img.height - 1;
  // An end sample is read only without padding, where line sample i is window row i - row0.
  if (row0 == 0) {
    line_edge(column, s, e, false, left);
  } else {
    column.load(0, left);
  }
  if (row0 + img.height == s.n_out) {
    LineLayout line = column;
    line.in = img.row(s.pad > 0 ? 0 : s.n_in - 1 - row0) + lane0;  // sample 0 = the line's last input row
    line_edge(line, LineShape{1, s.n_out, s.pad}, e, true, right);
  } else {
    column.load(last, right);
  }
}

// Triggs-Sdika: the anti-causal state past the end, from the last three
// causal outputs w1 (= w[n-1]), w2, w3 and the right boundary value u.
inline void right_state(const IirCoefficients& c, double w1, double w2, double w3, double u, double out[3]) {
  const double d0 = w1 - u, d1 = w2 - u, d2 = w3 - u;
  for (int i = 0; i < 3; ++i) out[i] = c.m[i][0] * d0 + c.m[i][1] * d1 + c.m[i][2] * d2 + u;
}

// The row segments of the vertical pass are far apart (one image row), too
// far for the hardware prefetcher: ask for the row after next explicitly.
inline void prefetch_segment(const float* p, int floats) {
  for (int i = 0; i < floats; i += 16) __builtin_prefetch(p + i, 1);
}

// The IIR line with the lane count fixed at compile time (kLanes > 0) or
// taken from the layout (kLanes == 0).
template <int kLanes>
__attribute__((always_inline)) inline void iir_line_lanes(const IirCoefficients& c, const LineLayout& lay,
                                                          const LineShape& s, const LineEdges& e, double* scratch) {
  const int L = kLanes > 0 ? kLanes : lay.lanes(), n = s.n_out;
  const double b = c.b, a1 = c.a[0], a2 = c.a[1], a3 = c.a[2];
  double* w = scratch;  // slots 0-2: left state, 3 .. n+2: the line, n+3 .. n+5: right state
  double* right = scratch + static_cast<size_t>(n + 6) * L;
  line_edges(lay, s, e, w, right);
  std::copy(w, w + L, w + L);
  std::copy(w, w + L, w + 2 * L);
  for (int k = 0; k < n; ++k) {
    double* y = w + static_cast<size_t>(k + 3) * L;
    const int i = k - s.pad;
    if (i >= 0 && i < s.n_in) {
      lay.load(i, y);
    } else {
      std::fill(y, y + L, 0.0);
    }
    for (int l = 0; l < L; ++l) y[l] = b * y[l] + a1 * y[l - L] + a2 * y[l - 2 * L] + a3 * y[l - 3 * L];
  }
  double* end = w + static_cast<size_t>(n + 3) * L;
  for (int l = 0; l < L; ++l) {
    double v[3];
    right_state(c, end[l - L], end[l - 2 * L], end[l - 3 * L], right[l], v);
    for (int i = 0; i < 3; ++i) end[i * L + l] = v[i];
  }
  for (int k = n - 1; k >= 0; --k) {
    double* y = w + static_cast<size_t>(k + 3) * L;
    for (int l = 0; l < L; ++l) y[l] = b * y[l] + a1 * y[l + L] + a2 * y[l + 2 * L] + a3 * y[l + 3 * L];
    lay.store(k, y);
  }
}

}  // namespace

size_t iir_line_scratch(const LineShape& s, int lanes) { return static_cast<size_t>(s.n_out + 7) * lanes; }
size_t fir_line_scratch(const LineShape& s, size_t taps, int lanes) { return (s.n_out + taps) * lanes; }
size_t iir_rows_scratch(int lanes) { return 4 * static_cast<size_t>(lanes); }

IMGFLO_VECTOR_CLONES
void iir_line(const IirCoefficients& c, const LineLayout& lay, const LineShape& s, const LineEdges& e,
              double* scratch) {
  switch (lay.lanes()) {  // 8 rows of RGB / RGBA pixels: the horizontal pass' usual lines
    case 24: return iir_line_lanes<24>(c, lay, s, e, scratch);
    case 32: return iir_line_lanes<32>(c, lay, s, e, scratch);
    default: return iir_line_lanes<0>(c, lay, s, e, scratch);
  }
}

IMGFLO_VECTOR_CLONES
void fir_line(const std::vector<float>& kernel, const LineLayout& lay, const LineShape& s, const LineEdges& e,
              double* scratch) {
  const int L = lay.lanes(), n = s.n_out, taps = static_cast<int>(kernel.size());
  const int half = taps / 2;
  double* ext = scratch;  // input samples -pad-half .. n_in+pad+half-1
  double* acc = scratch + static_cast<size_t>(n + taps - 1) * L;
  for (int x = 0; x < n + taps - 1; ++x) {
    double* slot = ext + static_cast<size_t>(x) * L;
    const int i = x - s.pad - half;
    if (i >= 0 && i < s.n_in) {
      lay.load(i, slot);
    } else if (e.clamp) {
      lay.load(std::clamp(i, 0, s.n_in - 1), slot);
    } else {
      std::copy(e.colour, e.colour + L, slot);
    }
  }
  for (int k = 0; k < n; ++k) {
    std::fill(acc, acc + L, 0.0);
    for (int m = 0; m < taps; ++m) {
      const double* x = ext + static_cast<size_t>(k + m) * L;
      const float wm = kernel[m];
      for (int l = 0; l < L; ++l) {
        float sum = static_cast<float>(acc[l]);  // float accumulation, as GEGL
        sum += wm * static_cast<float>(x[l]);
        acc[l] = sum;
      }
    }
    lay.store(k, acc);
  }
}

IMGFLO_VECTOR_CLONES
void iir_rows(const IirCoefficients& c, const FloatPlane& img, int row0, size_t lane0, int lanes, const LineShape& s,
              const LineEdges& e, double* scratch, const CausalCarry& carry) {
  const int L = lanes, n = img.height;
  const double b = c.b, a1 = c.a[0], a2 = c.a[1], a3 = c.a[2];
  double* y[3] = {scratch, scratch + L, scratch + 2 * L};  // newest .. oldest
  double* right = scratch + 3 * L;

  window_edges(img, row0, lane0, L, s, e, y[0], right);
  if (carry.in) {
    std::copy(carry.in, carry.in + 3 * static_cast<size_t>(L), scratch);
  } else {
    std::copy(y[0], y[0] + L, y[1]);
    std::copy(y[0], y[0] + L, y[2]);
  }

  // Causal pass: window row k (line row row0 + k) holds input row0 + k - pad
  // (zero outside), replaced by w[row0 + k].
  for (int k = 0; k < n; ++k) {
    float* row = img.row(k) + lane0;
    if (k + 2 < n) prefetch_segment(img.row(k + 2) + lane0, L);
    const bool inside = row0 + k >= s.pad && row0 + k < s.pad + s.n_in;
    const double* __restrict y1 = y[0];
    const double* __restrict y2 = y[1];
    double* __restrict y3 = y[2];
    for (int l = 0; l < L; ++l) {
      const double x = inside ? row[l] : 0.0;
      const double v = b * x + a1 * y1[l] + a2 * y2[l] + a3 * y3[l];
      y3[l] = v;  // the oldest state becomes the newest
      row[l] = static_cast<float>(v);
    }
    std::swap(y[1], y[2]);  // (y1, y2, y3) -> (y3, y1, y2)
    std::swap(y[0], y[1]);
    if (k == carry.out_row && carry.out) {
      for (int j = 0; j < 3; ++j) std::copy(y[j], y[j] + L, carry.out + static_cast<size_t>(j) * L);
    }
  }
  for (int l = 0; l < L; ++l) {
    double v[3];
    right_state(c, y[0][l], y[1][l], y[2][l], right[l], v);
    y[0][l] = v[0];
    y[1][l] = v[1];
    y[2][l] = v[2];
  }
  // Anti-causal pass, bottom up.
  for (int k = n - 1; k >= 0; --k) {
    float* row = img.row(k) + lane0;
    if (k >= 2) prefetch_segment(img.row(k - 2) + lane0, L);
    const double* __restrict y1 = y[0];
    const double* __restrict y2 = y[1];
    double* __restrict y3 = y[2];
    for (int l = 0; l < L; ++l) {
      const double v = b * row[l] + a1 * y1[l] + a2 * y2[l] + a3 * y3[l];
      y3[l] = v;
      row[l] = static_cast<float>(v);
    }
    std::swap(y[1], y[2]);  // (y1, y2, y3) -> (y3, y1, y2)
    std::swap(y[0], y[1]);
  }
}

}  // namespace imgflo::runtime::ops::blur
