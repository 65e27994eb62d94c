// The last-resort barrier of each executable's main thread (start-up and
// shutdown): an exception becomes an error message and exit status 1, never
// std::terminate. Threads have their own barriers (core/guard.h).
#pragma once

#include <exception>
#include <iostream>

namespace imgflo::app {

template <typename Body>
int guarded_main(const char* program, Body&& body) noexcept {
  try {
    try {
      return body();
    } catch (const std::exception& e) {
      std::cerr << program << ": unexpected error: " << e.what() << "\n";
    } catch (...) {
      std::cerr << program << ": unexpected error\n";
    }
  } catch (...) {  // the stream itself failed
  }
  return 1;
}

}  // namespace imgflo::app
