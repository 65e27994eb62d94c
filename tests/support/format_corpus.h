// Inputs in every accepted format, made at test time from the bundled
// examples with the vips CLI (nothing binary is checked in), and hostile
// variants of them.
//
//   const auto f = format_file("gridbear.heic");   // made on first use, then reused
//   std::string bomb = tiff_bomb(100000);          // a TIFF declaring 100000 x 100000
//
// Files are made once per process in a scratch folder. Throws
// std::runtime_error when vips fails (a test failure, never a silent pass).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace imgflo::test {

struct FormatSample {
  std::string name;    // file name in the corpus, e.g. "gridbear.heic"
  std::string source;  // example it was made from, e.g. "gridbear.jpg"
  std::string vips;    // how: the vips command after "vips", with IN and OUT placeholders
  int width = 0;       // of the image a decoder must produce
  int height = 0;
};

// Every sample: gridbear.jpg (150 x 150) as HEIC, AVIF, JPEG XL, TIFF,
// BigTIFF, 16-bit TIFF and 16-bit, grey and palette PNG; time.gif's 8 frames
// as a multi-page TIFF (first page 500 x 500); happy-kitten.svg as it is.
const std::vector<FormatSample>& format_samples();

// The path of a sample (made on first use).
std::filesystem::path format_file(const std::string& name);

// libvips' own decode of a sample written as PNG (16-bit samples kept), by
// `vips copy` (first page/frame): the reference a decoder is judged against.
std::string vips_own_png(const std::string& name);

// HEIF/AVIF bytes with the 'ispe' (image size) property rewritten to side x side.
std::string heif_with_size(const std::string& heif_bytes, uint32_t side);

// A JPEG XL codestream with its size header rewritten to side x side (the
// rest of the stream shifted to follow it).
std::string jxl_with_size(const std::string& jxl_bytes, uint32_t side);

// A minimal little-endian grey TIFF declaring side x side, with 16 bytes of strip data.
std::string tiff_bomb(uint32_t side);

// An SVG with the given root width and height attributes ("" leaves one out)
// and a 10 x 10 black square.
std::string svg_sized(const std::string& width, const std::string& height);

}  // namespace imgflo::test
