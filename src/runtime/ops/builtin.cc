// The explicit list of built-in ops.
#include "runtime/ops/ops.h"
#include "runtime/registry.h"

namespace imgflo::runtime {

void register_builtin_ops(OpRegistry& r) {
  r.add(ops::make_nop());
  r.add(ops::make_load());
  r.add(ops::make_crop());
  r.add(ops::make_gray());
  r.alias("gegl/grey", "gegl/gray");
  r.add(ops::make_example());
  r.add(ops::make_opacity());
  r.add(ops::make_src_over());
  r.add(ops::make_gradient_map());
  r.add(ops::make_retro_curve());
  r.add(ops::make_gaussian_blur());
  r.add(ops::make_edge_sobel());
  r.add(ops::make_color_dodge());
  r.add(ops::make_c2g());
  r.add(ops::make_noise_reduction());
  r.add(ops::make_noise_cie_lch());
  r.add(ops::make_screen());
  r.add(ops::make_motion_blur_linear());
  r.add(ops::make_brightness_contrast());
  r.add(ops::make_rotate_on_center());
  r.add(ops::make_unsharp_mask());
  r.add(ops::make_watermark_place());
}

}  // namespace imgflo::runtime
