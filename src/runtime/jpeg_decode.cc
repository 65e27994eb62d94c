#include "runtime/jpeg_decode.h"

#include "runtime/orientation.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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

// Restarts of a windowed decode before its ring holds the whole image.
constexpr int kWindowRestarts = 3;

constexpr int kExifMarker = JPEG_APP0 + 1;
constexpr int kIccMarker = JPEG_APP0 + 2;
constexpr unsigned kMaxMarkerLength = 0xFFFF;  // a whole segment; at most the input's size in all

// Reads the header into d, keeping the EXIF segments (and the ICC ones when
// `with_icc`); returns false (with d.err.message set) on failure.
bool start(Decompressor& d, std::string_view bytes, bool with_icc) {
  if (setjmp(d.err.jump)) return false;
  jpeg_create_decompress(&d.cinfo);
  d.created = true;
  jpeg_save_markers(&d.cinfo, kExifMarker, kMaxMarkerLength);
  if (with_icc) jpeg_save_markers(&d.cinfo, kIccMarker, kMaxMarkerLength);
  jpeg_mem_src(&d.cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  jpeg_read_header(&d.cinfo, TRUE);
  return true;
}

// Orientation from the first APP1 segment that is EXIF.
int orientation(const jpeg_decompress_struct& cinfo) {
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
    const std::string_view data(reinterpret_cast<const char*>(m->data), m->data_length);
    if (m->marker == kExifMarker && data.starts_with(std::string_view("Exif\0\0", 6))) return exif_orientation(data);
  }
  return 1;
}

// Attaches the ICC profile of the saved APP2 segments, if any, to `out`. A
// malformed profile (libjpeg warns) is left out: the pixels are still good.
// Call between the header and jpeg_start_decompress.
void attach_icc(Decompressor& d, VipsImage* out) {
  JOCTET* icc = nullptr;
  unsigned length = 0;
  if (setjmp(d.err.jump)) return;  // libjpeg allocates only once the chunks are checked
  if (!jpeg_read_icc_profile(&d.cinfo, &icc, &length) || !icc) return;
  vips_image_set_blob_copy(out, VIPS_META_ICC_NAME, icc, length);
  std::free(icc);
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

VipsInterpretation interpretation(int bands) {
  return bands == 1 ? VIPS_INTERPRETATION_B_W : bands == 4 ? VIPS_INTERPRETATION_CMYK : VIPS_INTERPRETATION_sRGB;
}

// State of one streaming decode, owned by the VipsImage it feeds (freed on
// its "close"). libvips calls generate() from its worker threads; the
// sequential wrapper keeps requests in order and the mutex keeps them apart.
struct JpegStream {
  std::string bytes;  // what libjpeg reads from
  Decompressor d;
  std::vector<unsigned char> line;
  int next_row = 0;
  bool failed = false;
  std::mutex mu;
};

// One scanline into `row`; false (with d.err.message) on a libjpeg error.
bool read_row(Decompressor& d, unsigned char* row) {
  if (setjmp(d.err.jump)) return false;
  JSAMPROW rows = row;
  jpeg_read_scanlines(&d.cinfo, &rows, 1);
  return true;
}

bool begin_pass(Decompressor& d) {
  if (setjmp(d.err.jump)) return false;
  jpeg_start_decompress(&d.cinfo);
  return true;
}

bool calc_dimensions(Decompressor& d) {
  if (setjmp(d.err.jump)) return false;
  jpeg_calc_output_dimensions(&d.cinfo);
  return true;
}

int generate_rows(VipsRegion* out, void*, void* a, void*, gboolean*) {
  auto* s = static_cast<JpegStream*>(a);
  const VipsRect& r = out->valid;
  const int bands = out->im->Bands;
  std::lock_guard lock(s->mu);
  if (s->failed || r.top < s->next_row) {
    vips_error("imgflo-jpeg", "%s", s->failed ? s->d.err.message : "out of order read");
    return -1;
  }
  for (int y = r.top; y < r.top + r.height; ++y) {
    while (s->next_row <= y) {
      if (!read_row(s->d, s->line.data())) {
        s->failed = true;
        vips_error("imgflo-jpeg", "%s", s->d.err.message);
        return -1;
      }
      ++s->next_row;
    }
    std::memcpy(VIPS_REGION_ADDR(out, r.left, y), s->line.data() + static_cast<size_t>(r.left) * bands,
                static_cast<size_t>(r.width) * bands);
  }
  return 0;
}

// State of one windowed decode (see window_jpeg), owned by the VipsImage it
// feeds. Rows [next_row - held(), next_row) of the current pass are in `ring`,
// row r at slot r % capacity. The mutex serialises libvips' worker threads.
struct JpegWindow {
  std::string bytes;
  int shrink = 1;
  Stop stop;
  std::unique_ptr<Decompressor> d;  // the current pass over the scanlines
  size_t row_bytes = 0;
  int height = 0;
  int capacity = 0;  // rows the ring holds
  std::vector<unsigned char> ring;
  int next_row = 0;
  int restarts = 0;
  std::shared_ptr<JpegWindowStats> stats;  // may be null
  std::string error;  // set once a pass failed: every later request fails
  std::mutex mu;

  int held() const { return std::min(next_row, capacity); }
  unsigned char* slot(int row) { return ring.data() + static_cast<size_t>(row % capacity) * row_bytes; }
};

// A fresh pass from the first scanline; false with w.error set on failure.
bool begin_window_pass(JpegWindow& w) {
  w.d = std::make_unique<Decompressor>();
  if (!start(*w.d, w.bytes, false)) {
    w.error = w.d->err.message;
    return false;
  }
  configure(w.d->cinfo, w.shrink);
  if (!begin_pass(*w.d)) {
    w.error = w.d->err.message;
    return false;
  }
  w.next_row = 0;
  return true;
}

// Makes rows from `row` on reachable: a row behind the ring restarts the
// decode with a ring twice as tall (the whole image after kWindowRestarts).
bool rewind_window(JpegWindow& w, int row) {
  if (row >= w.next_row - w.held()) return true;
  ++w.restarts;
  w.capacity = w.restarts >= kWindowRestarts ? w.height : std::min(w.height, 2 * w.capacity);
  w.ring.assign(static_cast<size_t>(w.capacity) * w.row_bytes, 0);
  if (w.stats) {
    w.stats->restarts = w.restarts;
    w.stats->window_rows = w.capacity;
  }
  return begin_window_pass(w);
}

// Decodes up to and including `row`; false with w.error set on failure or stop.
bool advance_window(JpegWindow& w, int row) {
  while (w.next_row <= row) {
    if ((w.next_row & 63) == 0 && w.stop.requested()) {
      w.error = "stopped";
      return false;
    }
    if (!read_row(*w.d, w.slot(w.next_row))) {
      w.error = w.d->err.message;
      return false;
    }
    ++w.next_row;
  }
  return true;
}

int generate_window_rows(VipsRegion* out, void*, void* a, void*, gboolean*) {
  auto* w = static_cast<JpegWindow*>(a);
  const VipsRect& r = out->valid;
  const size_t bands = static_cast<size_t>(out->im->Bands);
  std::lock_guard lock(w->mu);
  if (w->error.empty() && rewind_window(*w, r.top)) {
    for (int y = r.top; y < r.top + r.height && advance_window(*w, y); ++y) {
      std::memcpy(VIPS_REGION_ADDR(out, r.left, y), w->slot(y) + static_cast<size_t>(r.left) * bands,
                  static_cast<size_t>(r.width) * bands);
    }
  }
  if (w->error.empty()) return 0;
  vips_error("imgflo-jpeg", "%s", w->error.c_str());
  return -1;
}


}  // namespace

namespace {

// A lazy image of the decode `d` (header read, configured, started) whose
// pixels `generate` produces from `state`; `state` is freed by `free_state`
// when the image closes, or here on failure.
template <typename State>
Result<vips::VImage> lazy_jpeg(Decompressor& d, State* state, VipsGenerateFn generate) {
  VipsImage* out = vips_image_new();
  vips::VImage owner(out);  // steals the reference; frees `state` on close (connected below)
  g_signal_connect(out, "close", G_CALLBACK(+[](VipsImage*, void* p) { delete static_cast<State*>(p); }), state);
  attach_icc(d, out);
  const int bands = d.cinfo.output_components;
  vips_image_init_fields(out, static_cast<int>(d.cinfo.output_width), static_cast<int>(d.cinfo.output_height),
                         bands, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE, interpretation(bands), 1.0, 1.0);
  if (vips_image_pipelinev(out, VIPS_DEMAND_STYLE_THINSTRIP, nullptr) ||
      vips_image_generate(out, nullptr, generate, nullptr, state, nullptr)) {
    return Error(ErrorKind::kInternal, "cannot set up the JPEG stream");
  }
  return owner;
}

// Undoes Adobe's CMYK inversion lazily and tags the interpretation.
vips::VImage finish_lazy(vips::VImage v, bool adobe_cmyk) {
  const int bands = v.bands();
  if (adobe_cmyk) v = v.invert();
  v.set("interpretation", static_cast<int>(interpretation(bands)));
  return v;
}

}  // namespace

Result<vips::VImage> stream_jpeg(std::string_view bytes, int shrink) {
  auto s = std::make_unique<JpegStream>();
  s->bytes = std::string(bytes);
  if (!start(s->d, s->bytes, true)) return undecodable(s->d.err.message);
  configure(s->d.cinfo, shrink);
  if (!calc_dimensions(s->d)) return undecodable(s->d.err.message);
  const int bands = s->d.cinfo.output_components;
  s->line.resize(static_cast<size_t>(s->d.cinfo.output_width) * bands);
  const bool adobe_cmyk = bands == 4 && s->d.cinfo.saw_Adobe_marker;
  JpegStream* state = s.get();
  auto v = lazy_jpeg(state->d, s.release(), generate_rows);  // the image owns the state now
  if (!v.ok()) return v;
  if (!begin_pass(state->d)) return undecodable(state->d.err.message);
  return finish_lazy(v->sequential(), adobe_cmyk);
}

Result<vips::VImage> window_jpeg(std::string_view bytes, int shrink, const Stop& stop, int window_rows,
                                 std::shared_ptr<JpegWindowStats> stats) {
  auto w = std::make_unique<JpegWindow>();
  w->bytes = std::string(bytes);
  w->shrink = shrink;
  w->stop = stop;
  Decompressor header;  // reads the ICC profile; the passes skip it
  if (!start(header, w->bytes, true)) return undecodable(header.err.message);
  configure(header.cinfo, shrink);
  if (!calc_dimensions(header)) return undecodable(header.err.message);
  if (!begin_window_pass(*w)) return undecodable(w->error.c_str());
  const int bands = w->d->cinfo.output_components;
  w->row_bytes = static_cast<size_t>(w->d->cinfo.output_width) * bands;
  w->height = static_cast<int>(w->d->cinfo.output_height);
  w->capacity = std::clamp(window_rows, 1, w->height);
  w->ring.assign(static_cast<size_t>(w->capacity) * w->row_bytes, 0);
  if (stats) stats->window_rows = w->capacity;
  w->stats = std::move(stats);
  const bool adobe_cmyk = bands == 4 && w->d->cinfo.saw_Adobe_marker;
  auto v = lazy_jpeg(header, w.release(), generate_window_rows);
  if (!v.ok()) return v;
  return finish_lazy(*v, adobe_cmyk);
}

Result<JpegInfo> read_jpeg_info(std::string_view bytes) {
  Decompressor d;
  if (!start(d, bytes, false)) return undecodable(d.err.message);
  configure(d.cinfo, 1);
  const int bands = d.cinfo.out_color_space == JCS_GRAYSCALE ? 1 : d.cinfo.out_color_space == JCS_CMYK ? 4 : 3;
  return JpegInfo{static_cast<int>(d.cinfo.image_width), static_cast<int>(d.cinfo.image_height), bands,
                  orientation(d.cinfo)};
}

Result<std::pair<int, int>> jpeg_decoded_size(std::string_view bytes, int shrink) {
  Decompressor d;
  if (!start(d, bytes, false)) return undecodable(d.err.message);
  configure(d.cinfo, shrink);
  if (!calc_dimensions(d)) return undecodable(d.err.message);
  return std::pair<int, int>(static_cast<int>(d.cinfo.output_width), static_cast<int>(d.cinfo.output_height));
}

Result<vips::VImage> decode_jpeg(std::string_view bytes, int shrink, const Stop& stop) {
  Decompressor d;
  if (!start(d, bytes, true)) return undecodable(d.err.message);
  configure(d.cinfo, shrink);
  jpeg_calc_output_dimensions(&d.cinfo);
  const int bands = d.cinfo.output_components;
  const VipsInterpretation interp = interpretation(bands);
  VipsImage* out = vips_image_new_memory();
  vips_image_init_fields(out, static_cast<int>(d.cinfo.output_width), static_cast<int>(d.cinfo.output_height),
                         bands, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE, interp, 1.0, 1.0);
  vips::VImage owner(out);  // steals the reference
  if (vips_image_write_prepare(out)) return Error(ErrorKind::kInternal, "cannot allocate the decoded image");
  attach_icc(d, out);
  switch (read_pixels(d, out, stop)) {
    case 1: return undecodable(d.err.message);
    case 2: return *stop.check();
    default: break;
  }
  if (bands == 4 && d.cinfo.saw_Adobe_marker) uninvert(out);
  return owner;
}

}  // namespace imgflo::runtime
