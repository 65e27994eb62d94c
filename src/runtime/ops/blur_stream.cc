#include "runtime/ops/blur_stream.h"

#include "runtime/ops/float_image.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace imgflo::runtime::ops::blur {

namespace {

constexpr double kSettle = 1.0 / (1 << 20);  // what is left of a wrong recursion state at a strip's edge
constexpr int kMinStrip = 64;                 // rows per strip, at least
constexpr int kMaxStrip = 1024;               // and at most
constexpr int kOverlapsPerStrip = 1;          // strip = overlap: the passes filter each row twice
constexpr int kCachedStrips = 2;              // the strip being read and the next one

// What the lazy output holds: its input (a reference), the blur, and the
// strip work space, allocated up front (generate must not throw).
struct State {
  State(const vips::VImage& src, const Axis& x, const Axis& y, const Edges& edges, const StripPlan& plan,
        const Stop& stop, FloatImage window)
      : src(src), x(x), y(y), edges(edges), plan(plan), stop(stop), window(std::move(window)),
        carry_in(carry_size()), carry_out(carry_size()) {}

  size_t carry_size() const { return 3 * static_cast<size_t>(src.width()) * src.bands(); }

  const vips::VImage src;
  const Axis x, y;
  const Edges edges;
  const StripPlan plan;
  const Stop stop;

  std::mutex mutex;  // one strip at a time (each strip's passes are parallel); guards the rest
  FloatImage window;  // strip + 2 overlap rows (strip + overlap when read in order)
  std::vector<double> carry_in, carry_out;
  int carried_row = -1;  // the row carry_in continues the causal pass at; -1 = none
};

void free_state(VipsImage*, void* state) { delete static_cast<State*>(state); }

// The rows [a, a + win.height) of the input, blurred horizontally, then
// vertically as a window of the image's columns.
std::optional<Error> blur_window(const State& s, int a, const FloatPlane& win, const CausalCarry& carry) {
  const RowReader src = region_rows(s.src);
  const RowReader rows = [&src, a](int y, int n, const std::function<void(const FloatPlane&)>& use) {
    return src(a + y, n, use);
  };
  if (auto e = blur_rows(rows, win.width, win.height, win, 0, s.x, s.edges, s.stop)) return e;
  return blur_column_window(win, a, s.src.height(), s.y, s.edges, s.stop, carry);
}

// Output rows [top, top + n), n <= plan.strip, into `out`. A strip that
// starts where the previous one ended continues its causal pass (no overlap
// above); any other starts `overlap` rows higher.
// REQUIRES: s.mutex held.
std::optional<Error> blur_strip(State& s, int top, int n, VipsRegion* out) {
  const int height = s.src.height(), bottom = top + n;
  const bool sequel = top == s.carried_row;
  const int a = sequel ? top : std::max(0, top - s.plan.overlap);
  FloatPlane win = s.window.plane;
  win.height = std::min(height, bottom + s.plan.overlap) - a;
  CausalCarry carry;
  if (sequel) carry.in = s.carry_in.data();
  if (bottom < height) carry.out = s.carry_out.data();
  carry.out_row = bottom - 1 - a;
  s.carried_row = -1;
  if (auto e = blur_window(s, a, win, carry)) return e;
  if (carry.out) {
    s.carry_in.swap(s.carry_out);
    s.carried_row = bottom;
  }
  const VipsRect& r = out->valid;
  const size_t bytes = sizeof(float) * static_cast<size_t>(r.width) * win.channels;
  for (int y = top; y < bottom; ++y) {
    const float* from = win.row(y - a) + static_cast<size_t>(r.left) * win.channels;
    std::memcpy(VIPS_REGION_ADDR(out, r.left, y), from, bytes);
  }
  return std::nullopt;
}

int generate(VipsRegion* out, void*, void*, void* b, gboolean*) {
  auto* s = static_cast<State*>(b);
  const VipsRect& r = out->valid;
  const std::lock_guard<std::mutex> lock(s->mutex);
  for (int top = r.top; top < r.top + r.height; top += s->plan.strip) {
    const int n = std::min(s->plan.strip, r.top + r.height - top);
    if (auto e = blur_strip(*s, top, n, out)) {
      vips_error("gaussian-blur", "%s", e->message().c_str());
      return -1;
    }
  }
  return 0;
}

}  // namespace

std::optional<StripPlan> plan_strips(const Axis& x, const Axis& y, int height) {
  if (!x.clip_extent || !y.clip_extent || y.resolved() != Filter::kIir) return std::nullopt;
  StripPlan p;
  p.overlap = iir_settle_rows(iir_coefficients(y.sigma), kSettle, height);
  p.strip = std::clamp(kOverlapsPerStrip * p.overlap, kMinStrip, kMaxStrip);
  if (int64_t{p.strip} + 2 * int64_t{p.overlap} >= height) return std::nullopt;
  return p;
}

Result<vips::VImage> blur_streamed(const vips::VImage& src, const Axis& x, const Axis& y, const Edges& edges,
                                   const StripPlan& plan, const Stop& stop) {
  auto window = new_float_image(src.width(), plan.strip + 2 * plan.overlap, src.bands(), false);
  if (!window.ok()) return window.take_error();
  try {
    VipsImage* out = vips_image_new();
    vips::VImage owner(out);  // steals the reference; frees the state on close (connected below)
    auto* state = new State(src, x, y, edges, plan, stop, std::move(*window));
    g_signal_connect(out, "close", G_CALLBACK(free_state), state);
    VipsImage* in = state->src.get_image();
    if (vips_image_pipelinev(out, VIPS_DEMAND_STYLE_FATSTRIP, in, nullptr) != 0) throw vips::VError();
    if (vips_image_generate(out, nullptr, generate, nullptr, in, state) != 0) throw vips::VError();
    // Whole-width strips, each computed once while cached.
    return owner.tilecache(vips::VImage::option()
                               ->set("tile_width", src.width())
                               ->set("tile_height", plan.strip)
                               ->set("max_tiles", kCachedStrips)
                               ->set("access", VIPS_ACCESS_RANDOM)
                               ->set("threaded", true));
  } catch (const vips::VError&) {
    return Error(ErrorKind::kInternal, "cannot set up the blur");
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::kInternal, "no memory for the blur");
  }
}

}  // namespace imgflo::runtime::ops::blur
