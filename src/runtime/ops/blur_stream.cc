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
        const Stop& stop, FloatImage window, FloatImage ahead)
      : src(src), x(x), y(y), edges(edges), plan(plan), stop(stop), window(std::move(window)),
        ahead(std::move(ahead)), carry_in(carry_size()), carry_out(carry_size()) {}

  size_t carry_size() const { return 3 * static_cast<size_t>(src.width()) * src.bands(); }

  const vips::VImage src;
  const Axis x, y;
  const Edges edges;
  const StripPlan plan;
  const Stop stop;

  std::mutex mutex;  // one strip at a time (each strip's passes are parallel); guards the rest
  FloatImage window;  // strip + 2 overlap rows (strip + overlap when read in order)
  FloatImage ahead;   // overlap rows: the horizontal pass of the rows below the last strip
  std::vector<double> carry_in, carry_out;
  int next_row = -1;    // the row carry_in and ahead continue at; -1 = none
  int ahead_rows = 0;   // rows of `ahead` holding rows [next_row, ...)
};

void free_state(VipsImage*, void* state) { delete static_cast<State*>(state); }

// Copies n rows of whole pixels, from row y of `from` to row to_y of `to`.
void copy_rows(const FloatPlane& from, int y, int n, const FloatPlane& to, int to_y) {
  const size_t bytes = sizeof(float) * static_cast<size_t>(from.width) * from.channels;
  for (int i = 0; i < n; ++i) std::memcpy(to.row(to_y + i), from.row(y + i), bytes);
}

// The rows [a, a + win.height) of the input, blurred horizontally (the first
// `known` rows of `win` already are), then vertically as a window of the
// image's columns. The horizontal rows from `keep` on are copied to s.ahead
// first (the next strip's top rows).
std::optional<Error> blur_window(State& s, int a, const FloatPlane& win, int known, int keep,
                                 const CausalCarry& carry) {
  const RowReader src = region_rows(s.src);
  const int first = a + known;
  const RowReader rows = [&src, first](int y, int n, const std::function<void(const FloatPlane&)>& use) {
    return src(first + y, n, use);
  };
  FloatPlane rest = win;
  rest.data = win.row(known);
  rest.height = win.height - known;
  if (rest.height > 0) {
    if (auto e = blur_rows(rows, win.width, rest.height, rest, 0, s.x, s.edges, s.stop)) return e;
  }
  copy_rows(win, keep, win.height - keep, s.ahead.plane, 0);
  return blur_column_window(win, a, s.src.height(), s.y, s.edges, s.stop, carry);
}

// Output rows [top, top + n), n <= plan.strip, into `out`. A strip that
// starts where the previous one ended continues its causal pass (no overlap
// above) and reuses the horizontal rows it computed below itself; any other
// starts `overlap` rows higher.
// REQUIRES: s.mutex held.
std::optional<Error> blur_strip(State& s, int top, int n, VipsRegion* out) {
  const int height = s.src.height(), bottom = top + n;
  const bool sequel = top == s.next_row;
  const int a = sequel ? top : std::max(0, top - s.plan.overlap);
  FloatPlane win = s.window.plane;
  win.height = std::min(height, bottom + s.plan.overlap) - a;
  const int known = sequel ? s.ahead_rows : 0;
  copy_rows(s.ahead.plane, 0, known, win, 0);
  CausalCarry carry;
  if (sequel) carry.in = s.carry_in.data();
  if (bottom < height) carry.out = s.carry_out.data();
  carry.out_row = bottom - 1 - a;
  s.next_row = -1;
  if (auto e = blur_window(s, a, win, known, bottom - a, carry)) return e;
  if (carry.out) {
    s.carry_in.swap(s.carry_out);
    s.next_row = bottom;
    s.ahead_rows = win.height - (bottom - a);
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
  auto ahead = new_float_image(src.width(), plan.overlap, src.bands(), false);
  if (!ahead.ok()) return ahead.take_error();
  try {
    VipsImage* out = vips_image_new();
    vips::VImage owner(out);  // steals the reference; frees the state on close (connected below)
    auto* state = new State(src, x, y, edges, plan, stop, std::move(*window), std::move(*ahead));
    // Published through its mutex, which generate() takes before reading anything: libvips hands
    // strips to its workers through glib futexes, a hand-over ThreadSanitizer cannot see, and the
    // threads a strip's passes start would otherwise read the state with no visible order.
    { const std::lock_guard<std::mutex> publish(state->mutex); }
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
