# Build options for hardening checks (included from the top-level CMakeLists.txt).
#
#   IMGFLO_SANITIZE=address,undefined | thread | ...   compile and link everything with
#       -fsanitize=<list> -fno-omit-frame-pointer; with "undefined" also
#       -fno-sanitize-recover=undefined, so undefined behaviour fails the test that hit it.
#       libstdc++'s cheap precondition checks (_GLIBCXX_ASSERTIONS) are on as well.
#   IMGFLO_WERROR=ON    warnings are errors (CI's release build).
#   IMGFLO_FUZZ=ON      builds the libFuzzer targets of tests/fuzz (clang only). Every object is
#       instrumented with -fsanitize=fuzzer-no-link,address,undefined (IMGFLO_SANITIZE defaults to
#       address,undefined), so the same build directory also runs the unit and e2e suites under
#       ASan+UBSan; only the fuzz targets link libFuzzer (-fsanitize=fuzzer).
#
# scripts/sanitize.sh and scripts/fuzz.sh configure build-fuzz (fuzz + ASan/UBSan) and
# build-tsan (ThreadSanitizer) with these options.

option(IMGFLO_WERROR "Treat compiler warnings as errors" OFF)
option(IMGFLO_FUZZ "Build the libFuzzer targets in tests/fuzz (requires clang)" OFF)
set(IMGFLO_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined or thread")

if(IMGFLO_WERROR)
  add_compile_options(-Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # The GCC-only -Wno-* options of the top-level CMakeLists.txt.
  add_compile_options(-Wno-unknown-warning-option)
endif()

if(IMGFLO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "IMGFLO_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ "
                        "(Debian packages clang libclang-rt-14-dev)")
  endif()
  if(IMGFLO_SANITIZE STREQUAL "")
    set(IMGFLO_SANITIZE "address,undefined" CACHE STRING
        "Sanitizers for every target, e.g. address,undefined or thread" FORCE)
  endif()
  if(IMGFLO_SANITIZE MATCHES "thread|memory")
    message(FATAL_ERROR "IMGFLO_FUZZ builds with address,undefined; IMGFLO_SANITIZE=${IMGFLO_SANITIZE} cannot be combined")
  endif()
  # Coverage instrumentation for libFuzzer in every object; the ASan runtime provides the
  # callbacks for executables that do not link libFuzzer (unit_tests, the servers).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(NOT IMGFLO_SANITIZE STREQUAL "")
  if(IMGFLO_SANITIZE MATCHES "thread" AND IMGFLO_SANITIZE MATCHES "address")
    message(FATAL_ERROR "IMGFLO_SANITIZE: thread and address cannot be combined")
  endif()
  add_compile_options(-fsanitize=${IMGFLO_SANITIZE} -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS)
  add_link_options(-fsanitize=${IMGFLO_SANITIZE})
  if(IMGFLO_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
    add_link_options(-fno-sanitize-recover=undefined)
  endif()
  message(STATUS "imgflo: sanitizers ${IMGFLO_SANITIZE}")
endif()

# Called at the end of the top-level CMakeLists.txt, once every target exists. The test suites
# themselves (gtest bodies, half of a build's compile time) are not what runs at speed: in sanitizer
# builds they are compiled at -O0 (about a third faster to compile), in the other builds at -O1
# (GCC: 35-45 % less CPU per test file than -O3, measured on contract_test.cc and
# orientation_test.cc). The product code and the test support library (pixel comparisons) keep the
# build type's optimisation, so tests and fuzz targets still run at a useful speed.
function(imgflo_tune_test_targets)
  if(IMGFLO_SANITIZE STREQUAL "")
    set(level -O1)
  else()
    set(level -O0)
  endif()
  foreach(t unit_tests e2e_tests conformance_tests tsan_tests)
    if(TARGET ${t})
      target_compile_options(${t} PRIVATE ${level})
    endif()
  endforeach()
endfunction()
