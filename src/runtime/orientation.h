// EXIF orientation: inputs are turned upright right after decoding.
//
// A camera stores pixels as the sensor read them and records in the EXIF
// Orientation tag (values 1-8) how to show them; a person sees the upright
// image, so every size and coordinate after decoding (width/height rescale,
// crop x/y, the graph) refers to the upright image. probe() reports the
// upright size; decode() applies the orientation after any shrink-on-load
// (the shrink factor divides both sides, so it commutes with the rotation).
//
// The tag comes from libvips' loaders ("orientation" metadata: TIFF, WebP,
// PNG eXIf, ...) or, for our own JPEG decoder, from exif_orientation() on the
// APP1 segment. Values outside 1-8 mean 1 (as displayed by browsers).
#pragma once

#include <vips/vips8>

#include <string_view>

namespace imgflo::runtime {

// The Orientation tag (0x0112) of IFD0 in an EXIF block: "Exif\0\0" followed
// by a TIFF structure (either byte order), or the TIFF structure alone.
// Returns 1 when absent, malformed or out of range. Bounded: reads only
// inside `exif`, looks at IFD0's entries once, allocates nothing.
int exif_orientation(std::string_view exif);

// The "orientation" metadata of a loaded image (1 when absent or not 1-8).
int image_orientation(const vips::VImage& image);

// Orientations 5-8 swap width and height.
bool swaps_axes(int orientation);

// Orientations 3-8 need rows in another order than decoded (a sequential
// stream cannot feed them); 1 and 2 (mirror) keep the row order.
bool reorders_rows(int orientation);

// The upright image: for orientation o, a rotation (6: 90° clockwise,
// 3: 180°, 8: 270°; 5 and 7 as 6 and 8) followed by a left-right mirror for
// 2, 4, 5 and 7 — as libvips' autorot does. The result has no "orientation".
vips::VImage apply_orientation(const vips::VImage& image, int orientation);

}  // namespace imgflo::runtime
