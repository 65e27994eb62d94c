// Lookup-table images for vips maplut, built from C++ tables.
//
// maplut indexes the LUT with each pixel's (unsigned integer) value, band by
// band when the LUT has as many bands as the image, or one LUT for every band
// when the LUT has one band. The output takes the LUT's band format.
#pragma once

#include <vips/vips8>

#include <cstdint>
#include <vector>

namespace imgflo::runtime::ops {

// A (values.size() / bands) x 1 image, band-interleaved; the data is copied,
// so the vectors may go away afterwards. REQUIRES: values.size() % bands == 0.
vips::VImage lut_image(const std::vector<float>& values, int bands);
vips::VImage lut_image(const std::vector<uint8_t>& values, int bands);

}  // namespace imgflo::runtime::ops
