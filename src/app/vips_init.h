// Process-wide libvips set-up shared by every executable.
#pragma once

namespace imgflo::app {

// Initialises libvips once, on the main thread, before any worker thread:
// operation cache off (a server must not hold references to request data),
// untrusted operations blocked and every loader outside the runtime's
// allow-list too (runtime::restrict_vips_loaders), warnings routed to our
// log. Returns false on failure.
bool init_vips(const char* argv0);

// Releases libvips' per-thread state; call at the end of each thread that used it.
void vips_thread_done();

}  // namespace imgflo::app
