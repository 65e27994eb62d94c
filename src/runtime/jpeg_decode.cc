#include "runtime/jpeg_decode.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>

namespace imgflo::runtime {

namespace {

// libjpeg reports errors through error_exit (must not return) and warnings
// through emit_message(-1). Both end the decode via longjmp; no C++ object
// with a destructor lives in the frames that longjmp skips.
struct ErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error(cinfo);  // warnings (e.g. premature end of data) are fatal here
}

// Owns a jpeg_decompress_struct for one decode.
struct Decompressor {
  jpeg_decompress_struct cinfo{};
  ErrorManager err{};
  bool created = false;

  Decompressor() {
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_error;
    err.pub.emit_message = on_message;
  }
  ~Decompressor() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

// Reads the header into d; returns false (with d.err.message set) on failure.
bool start(Decompressor& d, std::string_view bytes) {
  if (setjmp(d.err.jump)) return false;
  jpeg_create_decompress(&d.cinfo);
  d.created = true;
  jpeg_mem_src(&d.cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  jpeg_read_header(&d.cinfo, TRUE);
  return true;
}

void configure(jpeg_decompress_struct& cinfo, int shrink) {
  cinfo.dct_method = JDCT_FLOAT;
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(shrink);
  switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK:
    case JCS_YCCK: cinfo.out_color_space = JCS_CMYK; break;
    default: cinfo.out_color_space = JCS_RGB; break;
  }
}

Error undecodable(const char* why) {
  return Error(ErrorKind::kUndecodable, std::string("JPEG input could not be decoded: ") + why);
}

// Decodes scanlines into `out` rows; returns 0 on success, 1 on libjpeg error,
// 2 when stopped.
int read_pixels(Decompressor& d, VipsImage* out, const Stop& stop) {
  if (setjmp(d.err.jump)) return 1;
  jpeg_start_decompress(&d.cinfo);
  while (d.cinfo.output_scanline < d.cinfo.output_height) {
    if ((d.cinfo.output_scanline & 63) == 0 && stop.requested()) {
      jpeg_abort_decompress(&d.cinfo);
      return 2;
    }
    JSAMPROW row = VIPS_IMAGE_ADDR(out, 0, d.cinfo.output_scanline);
    jpeg_read_scanlines(&d.cinfo, &row, 1);
  }
  jpeg_finish_decompress(&d.cinfo);
  return 0;
}

// Adobe Photoshop writes CMYK inverted (APP14 marker); undo that.
void uninvert(VipsImage* img) {
  const size_t n = VIPS_IMAGE_SIZEOF_IMAGE(img);
  auto* p = static_cast<unsigned char*>(img->data);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(255 - p[i]);
}

}  // namespace

Result<JpegInfo> read_jpeg_info(std::string_view bytes) {
  Decompressor d;
  if (!start(d, bytes)) return undecodable(d.err.message);
  configure(d.cinfo, 1);
  const int bands = d.cinfo.out_color_space == JCS_GRAYSCALE ? 1 : d.cinfo.out_color_space == JCS_CMYK ? 4 : 3;
  return JpegInfo{static_cast<int>(d.cinfo.image_width), static_cast<int>(d.cinfo.image_height), bands};
}

Result<vips::VImage> decode_jpeg(std::string_view bytes, int shrink, const Stop& stop) {
  Decompressor d;
  if (!start(d, bytes)) return undecodable(d.err.message);
  configure(d.cinfo, shrink);
  jpeg_calc_output_dimensions(&d.cinfo);
  const int bands = d.cinfo.output_components;
  const VipsInterpretation interp = bands == 1   ? VIPS_INTERPRETATION_B_W
                                    : bands == 4 ? VIPS_INTERPRETATION_CMYK
                                                 : VIPS_INTERPRETATION_sRGB;
  VipsImage* out = vips_image_new_memory();
  vips_image_init_fields(out, static_cast<int>(d.cinfo.output_width), static_cast<int>(d.cinfo.output_height),
                         bands, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE, interp, 1.0, 1.0);
  vips::VImage owner(out);  // steals the reference
  if (vips_image_write_prepare(out)) return Error(ErrorKind::kInternal, "cannot allocate the decoded image");
  switch (read_pixels(d, out, stop)) {
    case 1: return undecodable(d.err.message);
    case 2: return *stop.check();
    default: break;
  }
  if (bands == 4 && d.cinfo.saw_Adobe_marker) uninvert(out);
  return owner;
}

}  // namespace imgflo::runtime
