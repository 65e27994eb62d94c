#include "runtime/save_buffer.h"

#include "runtime/vips_eval.h"
#include "runtime/vips_threads.h"

#include <glib.h>

namespace imgflo::runtime {

Result<std::string> save_to_string(const vips::VImage& img, const char* suffix, const SaveOptions& options,
                                   const Stop& stop, const std::string& what) {
  void* buf = nullptr;
  size_t len = 0;
  Status st = evaluate(img, stop, what, [&] {
    with_pipeline_threads(img).write_to_buffer(suffix, &buf, &len, options());
  });
  if (!st.ok()) {
    g_free(buf);
    return st.take_error();
  }
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  return bytes;
}

}  // namespace imgflo::runtime
