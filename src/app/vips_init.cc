#include "app/vips_init.h"

#include "runtime/loaders.h"
#include "runtime/still_encode.h"

#include <spdlog/spdlog.h>
#include <vips/vips8>

namespace imgflo::app {

namespace {

void log_vips_warning(const char* domain, GLogLevelFlags, const char* message, gpointer) {
  spdlog::debug("{}: {}", domain ? domain : "vips", message ? message : "");
}

}  // namespace

bool init_vips(const char* argv0) {
  if (VIPS_INIT(argv0)) {
    spdlog::error("libvips failed to start: {}", vips_error_buffer());
    return false;
  }
  vips_cache_set_max(0);
  vips_block_untrusted_set(TRUE);
  runtime::allow_output_savers();
  runtime::restrict_vips_loaders();
  g_log_set_handler("VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE),
                    log_vips_warning, nullptr);
  return true;
}

void vips_thread_done() { vips_thread_shutdown(); }

}  // namespace imgflo::app
