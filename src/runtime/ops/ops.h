// Factories for the built-in ops, one per file in this folder. The list in
// builtin.cc registers them; add a line there when adding an op.
#pragma once

#include "runtime/op.h"

#include <memory>

namespace imgflo::runtime::ops {

std::unique_ptr<Op> make_nop();                  // gegl/nop
std::unique_ptr<Op> make_load();                 // gegl/load (refuses to run)
std::unique_ptr<Op> make_crop();                 // gegl/crop
std::unique_ptr<Op> make_gray();                 // gegl/gray (alias gegl/grey)
std::unique_ptr<Op> make_example();              // imgflo/example
std::unique_ptr<Op> make_opacity();              // gegl/opacity
std::unique_ptr<Op> make_src_over();             // svg/src-over
std::unique_ptr<Op> make_gradient_map();         // gegl/gradient-map
std::unique_ptr<Op> make_retro_curve();          // imgfloextra/retro-curve
std::unique_ptr<Op> make_gaussian_blur();        // gegl/gaussian-blur
std::unique_ptr<Op> make_edge_sobel();           // gegl/edge-sobel
std::unique_ptr<Op> make_color_dodge();          // svg/color-dodge
std::unique_ptr<Op> make_c2g();                  // gegl/c2g
std::unique_ptr<Op> make_noise_reduction();      // gegl/noise-reduction
std::unique_ptr<Op> make_noise_cie_lch();        // gegl/noise-cie-lch
std::unique_ptr<Op> make_screen();               // svg/screen
std::unique_ptr<Op> make_motion_blur_linear();   // gegl/motion-blur-linear
std::unique_ptr<Op> make_brightness_contrast();  // gegl/brightness-contrast
std::unique_ptr<Op> make_rotate_on_center();     // gegl/rotate-on-center
std::unique_ptr<Op> make_unsharp_mask();         // gegl/unsharp-mask
std::unique_ptr<Op> make_watermark_place();      // imgflo/watermark-place

}  // namespace imgflo::runtime::ops
