#include "runtime/ops/c2g_kernel.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace imgflo::runtime::ops::c2g {

namespace {

static_assert(std::endian::native == std::endian::little, "packed pixels are read as little-endian words");

constexpr uint32_t kC2gAlphaByte = 0xff000000u;  // byte 3 of a packed pixel

// Pixels of an RGBA float window.
struct C2gFloatPixels {
  const InputWindow& in;
  bool opaque(int u, int v) const { return in.at(u, v)[3] > 0.0f; }
  void rgb(int u, int v, float out[3]) const {
    const float* q = in.at(u, v);
    out[0] = q[0], out[1] = q[1], out[2] = q[2];
  }
};

// Pixels of a packed 8-bit window.
struct C2gPackedPixels {
  const InputWindow& in;
  const float* decode;
  uint32_t word(int u, int v) const {
    uint32_t w;
    std::memcpy(&w, in.at(u, v), sizeof w);
    return w;
  }
  bool opaque(int u, int v) const { return (word(u, v) & kC2gAlphaByte) != 0; }
  void rgb(int u, int v, float out[3]) const {
    const uint32_t w = word(u, v);
    for (int c = 0; c < 3; ++c) out[c] = decode[(w >> (8 * c)) & 0xffu];
  }
};

// The grey of (x, y), one spray point at a time with every retry rule: a
// point outside the input is replaced by the next one (a sample is given up
// after kMaxOutsideTries of them), a transparent one likewise, at most
// `samples` times per sample.
template <class Pixels>
float walked_grey(const Pixels& px, int x, int y, const Params& p) {
  float pixel[3];
  px.rgb(x, y, pixel);
  Spray spray(spray_start(x, y, px.in.input_width, p));
  const float xf = static_cast<float>(x), yf = static_cast<float>(y), radius = static_cast<float>(p.radius);
  Envelopes env;
  for (int i = 0; i < p.iterations; ++i) {
    float lo[3] = {pixel[0], pixel[1], pixel[2]}, hi[3] = {pixel[0], pixel[1], pixel[2]};
    for (int s = 0; s < p.samples; ++s) {
      int transparent_left = p.samples;
      for (int outside = 0; outside < kMaxOutsideTries;) {
        int u = 0, v = 0;
        spray.next(xf, yf, radius, u, v);
        if (!px.in.in_input(u, v)) {
          ++outside;
          continue;
        }
        if (px.opaque(u, v)) {
          float q[3];
          px.rgb(u, v, q);
          for (int c = 0; c < 3; ++c) lo[c] = fmin_exact(lo[c], q[c]), hi[c] = fmax_exact(hi[c], q[c]);
          break;
        }
        if (--transparent_left <= 0) break;
      }
    }
    env.add(pixel, lo, hi);
  }
  return env.grey(pixel, p.iterations);
}

// Per-byte minimum and maximum of two packed pixels.
#if defined(__SSE2__)
inline uint32_t min_bytes(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>(
      _mm_cvtsi128_si32(_mm_min_epu8(_mm_cvtsi32_si128(static_cast<int>(a)), _mm_cvtsi32_si128(static_cast<int>(b)))));
}
inline uint32_t max_bytes(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>(
      _mm_cvtsi128_si32(_mm_max_epu8(_mm_cvtsi32_si128(static_cast<int>(a)), _mm_cvtsi32_si128(static_cast<int>(b)))));
}
#else
template <typename Pick>
uint32_t pick_bytes(uint32_t a, uint32_t b, Pick pick) {
  uint32_t r = 0;
  for (int k = 0; k < 32; k += 8) r |= pick((a >> k) & 0xffu, (b >> k) & 0xffu) << k;
  return r;
}
inline uint32_t min_bytes(uint32_t a, uint32_t b) { return pick_bytes(a, b, [](uint32_t p, uint32_t q) { return p < q ? p : q; }); }
inline uint32_t max_bytes(uint32_t a, uint32_t b) { return pick_bytes(a, b, [](uint32_t p, uint32_t q) { return p > q ? p : q; }); }
#endif

// What the packed kernel shares between tiles (read-only).
struct PackedState {
  Params p;
  const float* decode;
  std::vector<float> scaled_radius;  // radius table x radius, as Spray::next computes it
};

// A packed window as words, with the input's size.
struct PackedWindow {
  const uint32_t* base;  // pixel (area.x, area.y)
  ptrdiff_t stride;      // words per row
  TileRect area;
  int width, height;  // the input's

  explicit PackedWindow(const InputWindow& in)
      : base(reinterpret_cast<const uint32_t*>(in.data)), stride(static_cast<ptrdiff_t>(in.stride)), area(in.area),
        width(in.input_width), height(in.input_height) {}
  ptrdiff_t offset(int u, int v) const { return static_cast<ptrdiff_t>(v - area.y) * stride + (u - area.x); }
};

// Fills off[0 .. samples x iterations) with the window offsets of the pixels
// (x, y)'s walk reads when every pixel is opaque (walked_grey's rules: points
// outside the input are skipped; a sample given up reads the centre instead,
// which moves no envelope), and asks the cache for each of them.
void spray_offsets(const PackedState& st, const PackedWindow& w, int x, int y, ptrdiff_t* off) {
  const SprayTables& t = spray_tables();
  const uint64_t start = spray_start(x, y, w.width, st.p);
  uint32_t a = static_cast<uint32_t>(start % kAnglePrime), b = static_cast<uint32_t>(start % kRadiusPrime);
  const float xf = static_cast<float>(x), yf = static_cast<float>(y);
  const int n = st.p.samples * st.p.iterations;
  int outside = 0;
  for (int k = 0; k < n;) {
    const float r = st.scaled_radius[b];
    const int u = static_cast<int>(xf + r * t.cos[a]);
    const int v = static_cast<int>(yf + r * t.sin[a]);
    if (++a == kAnglePrime) a = 0;
    if (++b == kRadiusPrime) b = 0;
    if (static_cast<unsigned>(u) < static_cast<unsigned>(w.width) &&
        static_cast<unsigned>(v) < static_cast<unsigned>(w.height)) {
      off[k] = w.offset(u, v);
      __builtin_prefetch(w.base + off[k]);
      ++k, outside = 0;
    } else if (++outside == kMaxOutsideTries) {
      off[k++] = w.offset(x, y);
      outside = 0;
    }
  }
}

// The grey of (x, y) from the offsets spray_offsets gave; false (and no grey)
// when a sprayed pixel is transparent: the walk would have retried there.
bool packed_grey(const PackedState& st, const PackedWindow& w, int x, int y, const ptrdiff_t* off, float& grey) {
  const uint32_t centre = w.base[w.offset(x, y)];
  float pixel[3], lo[3], hi[3];
  for (int c = 0; c < 3; ++c) pixel[c] = st.decode[(centre >> (8 * c)) & 0xffu];
  Envelopes env;
  for (int i = 0; i < st.p.iterations; ++i) {
    uint32_t low = centre | kC2gAlphaByte, high = centre;
    for (int s = 0; s < st.p.samples; ++s, ++off) {
      const uint32_t q = w.base[*off];
      low = min_bytes(low, q);
      high = max_bytes(high, q);
    }
    if ((low & kC2gAlphaByte) == 0) return false;
    for (int c = 0; c < 3; ++c) {
      lo[c] = st.decode[(low >> (8 * c)) & 0xffu];
      hi[c] = st.decode[(high >> (8 * c)) & 0xffu];
    }
    env.add(pixel, lo, hi);
  }
  grey = env.grey(pixel, st.p.iterations);
  return true;
}

// One row of a packed tile; the offsets of the next pixel are computed (and
// fetched) before the current pixel reads its own.
bool packed_row(const PackedState& st, const InputWindow& in, const OutputTile& out, int y, const Stop& stop,
                std::vector<ptrdiff_t>& offsets) {
  const PackedWindow w(in);
  const int n = st.p.samples * st.p.iterations;
  ptrdiff_t* current = offsets.data();
  ptrdiff_t* next = current + n;
  spray_offsets(st, w, out.area.x, y, current);
  for (int x = out.area.x; x < out.area.right(); ++x) {
    // Up to kMaxPackedSprays per pixel: poll within the row too.
    if (x % 64 == 0 && stop.requested()) return false;
    if (x + 1 < out.area.right()) spray_offsets(st, w, x + 1, y, next);
    float grey = 0;
    if (!packed_grey(st, w, x, y, current, grey)) grey = walked_grey(C2gPackedPixels{in, st.decode}, x, y, st.p);
    out.at(x, y)[0] = grey;
    std::swap(current, next);
  }
  return true;
}

}  // namespace

TileFn float_tiles(const Params& p) {
  return [p](const InputWindow& in, const OutputTile& out, const Stop& stop) {
    for (int y = out.area.y; y < out.area.bottom(); ++y) {
      float* d = out.at(out.area.x, y);
      for (int x = out.area.x; x < out.area.right(); ++x, d += 2) {
        // Up to samples x iterations = 10^6 sprays per pixel: poll within the row too.
        if (x % 64 == 0 && stop.requested()) return false;
        d[0] = walked_grey(C2gFloatPixels{in}, x, y, p);
        d[1] = in.at(x, y)[3];
      }
    }
    return true;
  };
}

TileFn packed_tiles(const Params& p, const float* decode) {
  auto st = std::make_shared<PackedState>(PackedState{p, decode, std::vector<float>(kRadiusPrime)});
  const std::vector<float>& radius = spray_tables().radius;
  for (int j = 0; j < kRadiusPrime; ++j) st->scaled_radius[j] = radius[j] * static_cast<float>(p.radius);
  return [st](const InputWindow& in, const OutputTile& out, const Stop& stop) {
    std::vector<ptrdiff_t> offsets(2 * static_cast<size_t>(st->p.samples) * st->p.iterations);
    for (int y = out.area.y; y < out.area.bottom(); ++y) {
      if (!packed_row(*st, in, out, y, stop, offsets)) return false;
    }
    return true;
  };
}

bool decode_table_usable(const float* decode) {
  for (int b = 0; b < 256; ++b) {
    if (!std::isfinite(decode[b]) || (b > 0 && decode[b] < decode[b - 1])) return false;
  }
  return true;
}

}  // namespace imgflo::runtime::ops::c2g
