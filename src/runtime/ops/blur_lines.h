// The 1-D filters of the blur passes, on lines of float samples in memory
// (internal to blur_planes.cc; declared here so tests can reach them).
//
// A line is n samples of `lanes` values each: the channels of one pixel, of
// several rows' pixels side by side (horizontal pass) or of a block of
// columns (vertical pass). Lanes are filtered independently; many lanes at
// once let the compiler vectorise the recursions, which are serial along
// the line. Recursion state is double precision, as in GEGL.
//
// Edges (GEGL's gblur-1d rules): the output has n_out = n_in + 2 pad samples,
// output k reading input k - pad.
//   IIR: the line is zero-padded by `pad` on each side; the recursions start
//        from the padded line's end samples (clamp) or the constant colour.
//   FIR: input samples past the ends are the nearest end sample (clamp) or
//        the constant colour.
#pragma once

#include "runtime/ops/float_image.h"
#include "runtime/ops/iir_gaussian.h"

#include <cstddef>
#include <vector>

namespace imgflo::runtime::ops::blur {

// Where the samples of one line live: `groups` runs of `group_lanes`
// contiguous floats; sample i of group g is at in + g * in_group_stride +
// i * sample_stride (likewise for out, which may alias in).
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
    switch (group_lanes) {  // the pixel sizes of the horizontal pass, unrolled
      case 3: return load_groups<3>(i, dst);
      case 4: return load_groups<4>(i, dst);
      default: return load_groups<0>(i, dst);
    }
  }
  void store(int k, const double* src) const {
    switch (group_lanes) {
      case 3: return store_groups<3>(k, src);
      case 4: return store_groups<4>(k, src);
      default: return store_groups<0>(k, src);
    }
  }

 private:
  template <int N>  // N = group_lanes, or 0 for any
  void load_groups(int i, double* dst) const {
    const int n = N > 0 ? N : group_lanes;
    for (int g = 0; g < groups; ++g) {
      const float* p = in + g * in_group_stride + static_cast<size_t>(i) * sample_stride;
      for (int c = 0; c < n; ++c) dst[g * n + c] = p[c];
    }
  }
  template <int N>
  void store_groups(int k, const double* src) const {
    const int n = N > 0 ? N : group_lanes;
    for (int g = 0; g < groups; ++g) {
      float* p = out + g * out_group_stride + static_cast<size_t>(k) * sample_stride;
      for (int c = 0; c < n; ++c) p[c] = static_cast<float>(src[g * n + c]);
    }
  }
};

struct LineShape {
  int n_in = 0;
  int n_out = 0;  // n_in + 2 pad
  int pad = 0;
};

struct LineEdges {
  bool clamp = true;
  const double* colour = nullptr;  // per lane, for the constant policies
};

// Scratch doubles the filters need for `lanes` lanes.
size_t iir_line_scratch(const LineShape& s, int lanes);
size_t fir_line_scratch(const LineShape& s, size_t taps, int lanes);
size_t iir_rows_scratch(int lanes);

// One line, read completely before it is written (so out may alias in).
void iir_line(const IirCoefficients& c, const LineLayout& lay, const LineShape& s, const LineEdges& e, double* scratch);
void fir_line(const std::vector<float>& kernel, const LineLayout& lay, const LineShape& s, const LineEdges& e,
              double* scratch);

// The IIR down the rows of `img` for the floats [lane0, lane0 + lanes) of
// every row, in place, streaming whole row segments (cache friendly for the
// vertical pass). `img` holds the rows [row0, row0 + img.height) of the
// line's n_out output rows: input sample i is line row s.pad + i; output k
// is line row k. At the line's ends the recursions start from the edge rules
// above; at an end of the window inside the line they start as if the line
// were clamped there (the window's end row repeated), which differs from the
// whole line's result by the recursion's decay over the distance to that end
// (iir_settle_rows tells how far to keep from it).
//
// `carry` links windows computed in order down the line: the causal state
// where the previous window left it replaces the edge rule at the window's
// top, and the state after a given row is saved for the next window, so the
// causal pass is exactly the whole line's.
// REQUIRES: 0 <= row0, row0 + img.height <= s.n_out, img.height >= 1.
struct CausalCarry {
  const double* in = nullptr;  // 3 * lanes: w[row0 - 1], w[row0 - 2], w[row0 - 3]; null = edge rules
  double* out = nullptr;       // 3 * lanes: where the state after window row out_row goes; null = none
  int out_row = -1;
};
void iir_rows(const IirCoefficients& c, const FloatPlane& img, int row0, size_t lane0, int lanes,
              const LineShape& s, const LineEdges& e, double* scratch, const CausalCarry& carry = {});

}  // namespace imgflo::runtime::ops::blur
