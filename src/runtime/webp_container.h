// WebP's RIFF container (Google's "WebP Container Specification"): chunks
// of FourCC + little-endian 32-bit size + payload (padded to even), after
// "RIFF" size "WEBP". The extended format starts with a VP8X chunk whose
// flag bits announce ICC (0x20), alpha (0x10), EXIF (0x08), XMP (0x04) and
// animation (0x02) chunks.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace imgflo::runtime {

// `webp` without its EXIF and XMP chunks (libvips 8.14.1's webpsave writes
// an EXIF block even with strip set: 186 bytes on a 32 x 32 image). When
// nothing but one VP8/VP8L bitstream is left, the VP8X header goes too (the
// simple format). Anything that is not a well-formed WebP comes back
// unchanged.
std::string strip_webp_metadata(std::string_view webp);

}  // namespace imgflo::runtime
