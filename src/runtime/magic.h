// Format signatures: how the accepted input formats are recognised from their
// first bytes (never from a name or a Content-Type).
//
// Each test is a pure function of the bytes, reads at most a bounded prefix
// and never throws. They are the "magic" column of the loader allow-list
// (loaders.h); anything they do not recognise is refused there.
#pragma once

#include <string_view>

namespace imgflo::runtime {

bool is_jpeg(std::string_view bytes);  // FF D8 FF
bool is_png(std::string_view bytes);   // 89 'PNG' 0D 0A 1A 0A
bool is_gif(std::string_view bytes);   // 'GIF87a' | 'GIF89a'
bool is_webp(std::string_view bytes);  // 'RIFF' ? ? ? ? 'WEBP'
bool is_tiff(std::string_view bytes);  // 'II*\0' | 'MM\0*', BigTIFF 'II+\0' | 'MM\0+'

// JPEG XL: a bare codestream (FF 0A) or the ISO-BMFF container, whose first
// box is the 12-byte signature box 'JXL ' (00 00 00 0C 'JXL ' 0D 0A 87 0A).
bool is_jxl(std::string_view bytes);

// ISO-BMFF images told apart by the brands of the leading 'ftyp' box (size
// 16..4096, a multiple of 4, inside the data). The major brand decides when it
// names a codec; otherwise the first compatible brand that does; the generic
// HEIF brands (mif1, msf1) alone count as HEIF.
//   AVIF: avif avis
//   HEIF: heic heix hevc hevx heim heis hevm hevs, mif1 msf1
enum class IsoBmffImage { kNone, kHeif, kAvif };
IsoBmffImage isobmff_image(std::string_view bytes);

// SVG as text: an optional UTF-8 byte-order mark, then any mix of whitespace,
// the XML declaration, processing instructions, comments and one DOCTYPE
// (internal subset included), then the root element '<svg' followed by
// whitespace, '>' or '/'. Only the first 64 KiB are looked at. Compressed
// SVG (svgz), UTF-16 and namespaced roots ('<svg:svg') are not recognised.
bool is_svg(std::string_view bytes);

}  // namespace imgflo::runtime
