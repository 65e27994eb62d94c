#include "runtime/ops/tiled.h"

#include "runtime/vips_eval.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <exception>

namespace imgflo::runtime::ops {

namespace {

constexpr int kCacheRows = 64;   // rows per tile of the input row cache
constexpr int kTileRows = 128;   // libvips' small tiles (the output's requests)

// What the generate callbacks need; owned by the output image.
struct TiledState {
  vips::VImage padded;  // the float input grown by the zero padding (kept alive here)
  TiledSpec spec;
  Stop stop;
  TileFn fn;
  int pad_left = 0, pad_top = 0;
  int input_width = 0, input_height = 0;
};

struct FilledState {
  vips::VImage input;  // kept alive here
  int bands = 0;
  Stop stop;
  FillFn fill;
};

// Zero padding the input needs on one axis so every window lies inside it.
struct AxisPadding {
  int64_t before = 0, after = 0;
};

AxisPadding axis_padding(int out_size, int offset, int reach_before, int reach_after, int in_size) {
  const int64_t first = int64_t{offset} - reach_before;                     // first input pixel read
  const int64_t last = int64_t{out_size} - 1 + offset + reach_after;        // last input pixel read
  return {std::max<int64_t>(0, -first), std::max<int64_t>(0, last - (int64_t{in_size} - 1))};
}

bool valid_spec(const TiledSpec& s) {
  const Reach& r = s.reach;
  return s.width > 0 && s.height > 0 && s.bands > 0 && r.left >= 0 && r.top >= 0 && r.right >= 0 && r.bottom >= 0;
}

// Input rows through a row cache when the vertical reach is large.
vips::VImage cached_rows(const vips::VImage& img, const Reach& r) {
  if (r.top + r.bottom <= kCachedReach) return img;
  // Windows in flight span the reach plus two strips of output tiles (libvips
  // computes one strip while the previous one finishes).
  const int tiles = (r.top + r.bottom + 2 * kTileRows) / kCacheRows + 2;
  return img.tilecache(vips::VImage::option()
                           ->set("tile_width", img.width())
                           ->set("tile_height", kCacheRows)
                           ->set("max_tiles", tiles)
                           ->set("access", VIPS_ACCESS_RANDOM)
                           ->set("threaded", true));
}

// A failed tile: libvips' error, and one more of the Stop's tile failures
// (libvips may lose the error, vips_eval.h).
int fail(const Stop& stop, const char* why) {
  vips_error("imgflo tiled", "%s", why);
  stop.tile_failures.add();
  return -1;
}

Error setup_failed() {
  spdlog::warn("tiled op: libvips cannot set up the image: {}", vips_error_buffer());
  vips_error_clear();
  return Error(ErrorKind::kInternal, "cannot set up a tiled operation");
}

// Runs a tile function; an escaping exception counts as a failed tile.
template <typename Fn>
bool run_guarded(const Fn& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    spdlog::error("tiled op: exception in a tile: {}", e.what());
  } catch (...) {
    spdlog::error("tiled op: unknown exception in a tile");
  }
  return false;
}

OutputTile output_tile(VipsRegion* out_region, int bands) {
  const VipsRect& r = out_region->valid;
  OutputTile out;
  out.data = reinterpret_cast<float*>(VIPS_REGION_ADDR(out_region, r.left, r.top));
  out.stride = VIPS_REGION_LSKIP(out_region) / sizeof(float);
  out.bands = bands;
  out.area = TileRect{r.left, r.top, r.width, r.height};
  return out;
}

// The input pixels the tile `r` may read, in input coordinates.
TileRect window_of(const TiledState& st, const VipsRect& r) {
  const Reach& reach = st.spec.reach;
  TileRect w{r.left + st.spec.offset_x - reach.left, r.top + st.spec.offset_y - reach.top,
             r.width + reach.left + reach.right, r.height + reach.top + reach.bottom};
  if (st.spec.zero_outside) return w;
  const int x0 = std::max(w.x, 0), y0 = std::max(w.y, 0);
  const int x1 = std::min(w.right(), st.input_width), y1 = std::min(w.bottom(), st.input_height);
  return x0 < x1 && y0 < y1 ? TileRect{x0, y0, x1 - x0, y1 - y0} : TileRect{};
}

int generate_tiled(VipsRegion* out_region, void* seq, void*, void* b, gboolean*) {
  auto* in_region = static_cast<VipsRegion*>(seq);
  const auto& st = *static_cast<const TiledState*>(b);
  if (st.stop.requested()) return fail(st.stop, "stopped");
  InputWindow in;
  in.bands = st.padded.bands();
  in.area = window_of(st, out_region->valid);
  in.input_width = st.input_width;
  in.input_height = st.input_height;
  if (in.area.width > 0) {
    VipsRect need{in.area.x + st.pad_left, in.area.y + st.pad_top, in.area.width, in.area.height};
    if (vips_region_prepare(in_region, &need)) return fail(st.stop, "its input was not computed");
    in.data = reinterpret_cast<const float*>(VIPS_REGION_ADDR(in_region, need.left, need.top));
    in.stride = VIPS_REGION_LSKIP(in_region) / sizeof(float);
  }
  const OutputTile out = output_tile(out_region, st.spec.bands);
  return run_guarded([&] { return st.fn(in, out, st.stop); }) ? 0 : fail(st.stop, "a tile was not computed");
}

int generate_filled(VipsRegion* out_region, void*, void*, void* b, gboolean*) {
  const auto& st = *static_cast<const FilledState*>(b);
  if (st.stop.requested()) return fail(st.stop, "stopped");
  const OutputTile out = output_tile(out_region, st.bands);
  return run_guarded([&] { return st.fill(out, st.stop); }) ? 0 : fail(st.stop, "a tile was not computed");
}

template <typename State>
void free_state(void* state) {
  delete static_cast<State*>(state);
}

// A new lazy float image computed by `generate` (with `start`, `stop` and
// their `a`) from `input`; owns `state` (freed with the image).
template <typename State>
Result<vips::VImage> generated_image(const vips::VImage& input, int width, int height, int bands, VipsStartFn start,
                                     VipsGenerateFn generate, VipsStopFn stop, void* a, State* state) {
  VipsImage* out = vips_image_new();
  vips::VImage owner(out);  // steals the reference
  g_object_set_data_full(G_OBJECT(out), "imgflo-generated-state", state, &free_state<State>);
  // pipelinev copies the input's header: the output's own fields come after it.
  if (vips_image_pipelinev(out, VIPS_DEMAND_STYLE_SMALLTILE, input.get_image(), nullptr)) return setup_failed();
  const VipsInterpretation interp = bands <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_scRGB;
  vips_image_init_fields(out, width, height, bands, VIPS_FORMAT_FLOAT, VIPS_CODING_NONE, interp, 1.0, 1.0);
  if (vips_image_generate(out, start, generate, stop, a, state)) return setup_failed();
  return owner;
}

}  // namespace

Result<vips::VImage> tiled_image(const vips::VImage& input, const TiledSpec& spec, const Stop& stop, TileFn fn) {
  if (!valid_spec(spec)) return Error(ErrorKind::kInternal, "invalid tiled operation");
  const Reach& r = spec.reach;
  AxisPadding px, py;
  if (spec.zero_outside) {
    px = axis_padding(spec.width, spec.offset_x, r.left, r.right, input.width());
    py = axis_padding(spec.height, spec.offset_y, r.top, r.bottom, input.height());
  }
  const int64_t padded_w = input.width() + px.before + px.after, padded_h = input.height() + py.before + py.after;
  if (padded_w > VIPS_MAX_COORD || padded_h > VIPS_MAX_COORD) {
    return Error(ErrorKind::kInternal, "tiled operation reaches too far");
  }
  vips::VImage padded = input.format() == VIPS_FORMAT_FLOAT ? input : input.cast(VIPS_FORMAT_FLOAT);
  if (padded_w != input.width() || padded_h != input.height()) {
    padded = padded.embed(static_cast<int>(px.before), static_cast<int>(py.before), static_cast<int>(padded_w),
                          static_cast<int>(padded_h));
  }
  const int64_t window_w = std::min<int64_t>(int64_t{kTileRows} + r.left + r.right, padded_w);
  const int64_t window_h = std::min<int64_t>(int64_t{kTileRows} + r.top + r.bottom, padded_h);
  if (window_w * window_h > int64_t{kMaxWindowRatio} * kTileRows * kTileRows) {
    vips::VImage in_memory;
    Status st = evaluate(padded, stop, "computing pixels", [&] { in_memory = padded.copy_memory(); });
    if (!st.ok()) return st.take_error();
    padded = in_memory;
  } else {
    padded = cached_rows(padded, r);
  }
  auto* state = new TiledState{padded, spec, stop, std::move(fn), static_cast<int>(px.before),
                               static_cast<int>(py.before), input.width(), input.height()};
  return generated_image(padded, spec.width, spec.height, spec.bands, vips_start_one, generate_tiled, vips_stop_one,
                         padded.get_image(), state);
}

Result<vips::VImage> filled_image(const vips::VImage& input, int width, int height, int bands, const Stop& stop,
                                  FillFn fill) {
  if (width <= 0 || height <= 0 || bands <= 0) return Error(ErrorKind::kInternal, "invalid lazy operation");
  auto* state = new FilledState{input, bands, stop, std::move(fill)};
  return generated_image(input, width, height, bands, nullptr, generate_filled, nullptr, nullptr, state);
}

}  // namespace imgflo::runtime::ops
