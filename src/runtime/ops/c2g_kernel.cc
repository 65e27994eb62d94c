#include "runtime/ops/c2g_kernel.h"

#include <algorithm>
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

// Four lanes of IEEE single arithmetic (GCC/clang vector extensions): each
// lane rounds exactly as the scalar expression does (no FMA contraction: the
// build targets baseline x86-64, which has none).
using C2gV4f = float __attribute__((vector_size(16)));
using C2gV4i = int32_t __attribute__((vector_size(16)));

C2gV4f load4(const float* p) {
  C2gV4f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

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

// Packed pixels held for per-byte minimum and maximum (in a vector register
// where SSE2 has the byte instructions).
#if defined(__SSE2__)
using C2gBytes = __m128i;
inline C2gBytes bytes_of(uint32_t w) { return _mm_cvtsi32_si128(static_cast<int>(w)); }
inline uint32_t word_of(C2gBytes b) { return static_cast<uint32_t>(_mm_cvtsi128_si32(b)); }
inline C2gBytes min_bytes(C2gBytes a, C2gBytes b) { return _mm_min_epu8(a, b); }
inline C2gBytes max_bytes(C2gBytes a, C2gBytes b) { return _mm_max_epu8(a, b); }
#else
using C2gBytes = uint32_t;
inline C2gBytes bytes_of(uint32_t w) { return w; }
inline uint32_t word_of(C2gBytes b) { return b; }
template <typename Pick>
uint32_t pick_bytes(uint32_t a, uint32_t b, Pick pick) {
  uint32_t r = 0;
  for (int k = 0; k < 32; k += 8) r |= pick((a >> k) & 0xffu, (b >> k) & 0xffu) << k;
  return r;
}
inline C2gBytes min_bytes(C2gBytes a, C2gBytes b) {
  return pick_bytes(a, b, [](uint32_t p, uint32_t q) { return p < q ? p : q; });
}
inline C2gBytes max_bytes(C2gBytes a, C2gBytes b) {
  return pick_bytes(a, b, [](uint32_t p, uint32_t q) { return p > q ? p : q; });
}
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
  int32_t stride;        // words per row
  TileRect area;
  int width, height;  // the input's

  explicit PackedWindow(const InputWindow& in)
      : base(reinterpret_cast<const uint32_t*>(in.data)), stride(static_cast<int32_t>(in.stride)), area(in.area),
        width(in.input_width), height(in.input_height) {}
  // REQUIRES: the window holds fewer than 2^31 words (packed_tiles' contract).
  int32_t offset(int u, int v) const { return (v - area.y) * stride + (u - area.x); }
  C2gV4i offsets(C2gV4i u, C2gV4i v) const { return (v - area.y) * stride + (u - area.x); }
  // True when the four points (u[l], v[l]) are pixels of the input.
  bool all_inside(C2gV4i u, C2gV4i v) const {
    using C2gV4u = uint32_t __attribute__((vector_size(16)));
    const C2gV4i in = (reinterpret_cast<C2gV4u>(u) < static_cast<uint32_t>(width)) &
                      (reinterpret_cast<C2gV4u>(v) < static_cast<uint32_t>(height));
    return (in[0] & in[1] & in[2] & in[3]) != 0;
  }
};

// The next spray points of one pixel's walk, four at a time: vector lanes
// with the scalar walk's float operations where the four table positions do
// not wrap, the scalar walk where they do.
class SprayBlocks {
 public:
  SprayBlocks(const PackedState& st, int x, int y, uint64_t start)
      : t_(spray_tables()), radius_(st.scaled_radius.data()), a_(static_cast<uint32_t>(start % kAnglePrime)),
        b_(static_cast<uint32_t>(start % kRadiusPrime)) {
    xf_ = C2gV4f{static_cast<float>(x), static_cast<float>(x), static_cast<float>(x), static_cast<float>(x)};
    yf_ = C2gV4f{static_cast<float>(y), static_cast<float>(y), static_cast<float>(y), static_cast<float>(y)};
  }

  // The next four spray points (u[l], v[l]).
  void next(C2gV4i& u, C2gV4i& v) {
    if (a_ + 4 <= kAnglePrime && b_ + 4 <= kRadiusPrime) {
      const C2gV4f r = load4(radius_ + b_);
      u = __builtin_convertvector(xf_ + r * load4(&t_.cos[a_]), C2gV4i);
      v = __builtin_convertvector(yf_ + r * load4(&t_.sin[a_]), C2gV4i);
      a_ += 4, b_ += 4;
      if (a_ == kAnglePrime) a_ = 0;
      if (b_ == kRadiusPrime) b_ = 0;
      return;
    }
    for (int l = 0; l < 4; ++l) {
      const float r = radius_[b_];
      u[l] = static_cast<int>(xf_[0] + r * t_.cos[a_]);
      v[l] = static_cast<int>(yf_[0] + r * t_.sin[a_]);
      if (++a_ == kAnglePrime) a_ = 0;
      if (++b_ == kRadiusPrime) b_ = 0;
    }
  }

 private:
  const SprayTables& t_;
  const float* radius_;
  uint32_t a_, b_;
  C2gV4f xf_, yf_;
};

// Fills off[0 .. samples x iterations) with the window offsets of the pixels
// (x, y)'s walk reads when every pixel is opaque (walked_grey's rules: points
// outside the input are skipped; a sample given up reads the centre instead,
// which moves no envelope), and asks the cache for each of them.
void spray_offsets(const PackedState& st, const PackedWindow& w, int x, int y, int32_t* off) {
  SprayBlocks spray(st, x, y, spray_start(x, y, w.width, st.p));
  const int n = st.p.samples * st.p.iterations;
  int outside = 0;
  for (int k = 0; k < n;) {
    C2gV4i u, v;
    spray.next(u, v);
    if (k + 4 <= n && w.all_inside(u, v)) {  // the usual case: four points taken in order
      const C2gV4i o = w.offsets(u, v);
      std::memcpy(off + k, &o, sizeof o);
      for (int l = 0; l < 4; ++l) __builtin_prefetch(w.base + o[l]);
      k += 4, outside = 0;
      continue;
    }
    for (int l = 0; l < 4 && k < n; ++l) {
      if (static_cast<unsigned>(u[l]) < static_cast<unsigned>(w.width) &&
          static_cast<unsigned>(v[l]) < static_cast<unsigned>(w.height)) {
        off[k] = w.offset(u[l], v[l]);
        __builtin_prefetch(w.base + off[k]);
        ++k, outside = 0;
      } else if (++outside == kMaxOutsideTries) {
        off[k++] = w.offset(x, y);
        outside = 0;
      }
    }
  }
}

// The decoded R, G, B of a packed pixel and `last` in lane 3.
C2gV4f decoded(const float* decode, uint32_t w, float last) {
  return C2gV4f{decode[w & 0xffu], decode[(w >> 8) & 0xffu], decode[(w >> 16) & 0xffu], last};
}

// The grey of (x, y) from the offsets spray_offsets gave; false (and no grey)
// when a sprayed pixel is transparent: the walk would have retried there.
// Envelopes::add on three lanes at once (lane 3: range 1, brightness 0).
bool packed_grey(const PackedState& st, const PackedWindow& w, int x, int y, const int32_t* off, float& grey) {
  const uint32_t centre = w.base[w.offset(x, y)];
  const C2gV4f pixel = decoded(st.decode, centre, 0.0f);
  const C2gV4f half = {0.5f, 0.5f, 0.5f, 0.5f};
  C2gV4f brightness_sum = {0, 0, 0, 0}, range_sum = {0, 0, 0, 0};
  for (int i = 0; i < st.p.iterations; ++i) {
    C2gBytes lows = bytes_of(centre | kC2gAlphaByte), highs = bytes_of(centre);
    for (int s = 0; s < st.p.samples; ++s, ++off) {
      const C2gBytes q = bytes_of(w.base[*off]);
      lows = min_bytes(lows, q);
      highs = max_bytes(highs, q);
    }
    const uint32_t low = word_of(lows), high = word_of(highs);
    if ((low & kC2gAlphaByte) == 0) return false;
    const C2gV4f lo = decoded(st.decode, low, 0.0f), range = decoded(st.decode, high, 1.0f) - lo;
    const C2gV4i positive = range > C2gV4f{0, 0, 0, 0};
    const C2gV4i brightness = reinterpret_cast<C2gV4i>((pixel - lo) / range);
    brightness_sum += reinterpret_cast<C2gV4f>((positive & brightness) | (~positive & reinterpret_cast<C2gV4i>(half)));
    range_sum += range;
  }
  Envelopes env;
  const float pix[3] = {pixel[0], pixel[1], pixel[2]};
  for (int c = 0; c < 3; ++c) env.brightness_sum[c] = brightness_sum[c], env.range_sum[c] = range_sum[c];
  grey = env.grey(pix, st.p.iterations);
  return true;
}

// Pixels whose spray offsets are computed (and fetched) ahead of their reads.
constexpr int kC2gLookahead = 3;

// One row of a packed tile; each pixel's offsets are computed kC2gLookahead
// pixels before it reads them, so its reads are on their way by then.
// `offsets` holds kC2gLookahead + 1 pixels' offsets.
bool packed_row(const PackedState& st, const InputWindow& in, const OutputTile& out, int y, const Stop& stop,
                std::vector<int32_t>& offsets) {
  const PackedWindow w(in);
  const size_t n = static_cast<size_t>(st.p.samples) * st.p.iterations;
  const auto slot = [&](int x) { return offsets.data() + n * static_cast<size_t>(x % (kC2gLookahead + 1)); };
  const int x0 = out.area.x, x1 = out.area.right();
  for (int x = x0; x < std::min(x0 + kC2gLookahead, x1); ++x) spray_offsets(st, w, x, y, slot(x));
  for (int x = x0; x < x1; ++x) {
    // Up to kMaxPackedSprays per pixel: poll within the row too.
    if (x % 64 == 0 && stop.requested()) return false;
    if (x + kC2gLookahead < x1) spray_offsets(st, w, x + kC2gLookahead, y, slot(x + kC2gLookahead));
    float grey = 0;
    if (!packed_grey(st, w, x, y, slot(x), grey)) grey = walked_grey(C2gPackedPixels{in, st.decode}, x, y, st.p);
    out.at(x, y)[0] = grey;
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
    std::vector<int32_t> offsets((kC2gLookahead + 1) * static_cast<size_t>(st->p.samples) * st->p.iterations);
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
