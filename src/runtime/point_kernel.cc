#include "runtime/point_kernel.h"

#include <array>
#include <stdexcept>

namespace imgflo::runtime {

namespace {

// What the output image owns: the row function and a reference to each input
// (null-terminated, as vips_start_many() wants them).
struct PointState {
  RowFunction fn;
  std::vector<VipsImage*> inputs;

  ~PointState() {
    for (VipsImage* in : inputs) {
      if (in) g_object_unref(in);
    }
  }
};

int generate(VipsRegion* out, void* seq, void* /*a*/, void* b, gboolean* /*stop*/) {
  auto** regions = static_cast<VipsRegion**>(seq);
  const auto* state = static_cast<const PointState*>(b);
  const VipsRect* r = &out->valid;
  const size_t n = state->inputs.size() - 1;
  for (size_t i = 0; i < n; ++i) {
    if (vips_region_prepare(regions[i], r)) return -1;
  }
  std::array<const void*, kMaxPointInputs> rows{};
  for (int y = r->top; y < VIPS_RECT_BOTTOM(r); ++y) {
    for (size_t i = 0; i < n; ++i) rows[i] = VIPS_REGION_ADDR(regions[i], r->left, y);
    state->fn(rows.data(), VIPS_REGION_ADDR(out, r->left, y), r->width);
  }
  return 0;
}

void destroy_state(gpointer p) { delete static_cast<PointState*>(p); }

}  // namespace

vips::VImage point_map(const std::vector<vips::VImage>& inputs, int bands, VipsBandFormat format, RowFunction fn) {
  if (inputs.empty() || inputs.size() > static_cast<size_t>(kMaxPointInputs)) {
    throw std::invalid_argument("point_map: 1 to 4 inputs");
  }
  for (const auto& in : inputs) {
    if (in.width() != inputs[0].width() || in.height() != inputs[0].height()) {
      throw std::invalid_argument("point_map: inputs of different sizes");
    }
  }
  auto* state = new PointState{std::move(fn), {}};
  for (const auto& in : inputs) {
    VipsImage* im = in.get_image();
    g_object_ref(im);
    state->inputs.push_back(im);
  }
  state->inputs.push_back(nullptr);
  VipsImage* out = vips_image_new();
  g_object_set_data_full(G_OBJECT(out), "imgflo-point-map", state, destroy_state);
  if (vips_image_pipeline_array(out, VIPS_DEMAND_STYLE_THINSTRIP, state->inputs.data())) {
    g_object_unref(out);
    throw vips::VError();
  }
  out->Bands = bands;
  out->BandFmt = format;
  out->Type = bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W;
  if (vips_image_generate(out, vips_start_many, generate, vips_stop_many, state->inputs.data(), state)) {
    g_object_unref(out);
    throw vips::VError();
  }
  return vips::VImage(out);
}

}  // namespace imgflo::runtime
