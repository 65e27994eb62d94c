# Precompiled headers (included from the top-level CMakeLists.txt after every target exists).
#
# core/error.h brings nlohmann/json into every translation unit and most files log through spdlog:
# parsed afresh these two cost ~8 s of CPU per file, most of a clean build. Each multi-file target
# compiles them once into its own precompiled header (the flags differ per target, so one shared
# header would not be valid everywhere); test targets also get GoogleTest. The headers are forced
# in before each file's own includes, which changes nothing else: every file still includes what
# it uses (the layering check reads the #include lines, not the precompiled header).
#
# On by default. With GCC 12 the precompiled libstdc++ code is not treated as a system header, so
# its -Warray-bounds/-Wstringop-overflow/-Wstringop-overread false positives inside std::string
# would surface and fail the -Werror release build: targets with a
# precompiled header turn those three warnings off under GCC. Bounds errors are what the clang
# ASan+UBSan stage checks at run time. The precompiled header saves about 40 % of the CPU time of
# every file (measured: 5.0 -> 3.1 s per file of src/, GCC -O3), about 4 minutes of a clean build.
# IMGFLO_PCH=ON/OFF overrides (OFF also checks that every file includes what it uses).

set(imgflo_pch_default ON)
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
option(IMGFLO_PCH "Precompile the heavy third-party headers per target" ${imgflo_pch_default})

# imgflo_precompile_headers(DIRS dir...): every library and executable defined in those source
# directories with at least three sources gets the common headers; test targets also GoogleTest.
function(imgflo_precompile_headers)
  if(NOT IMGFLO_PCH)
    return()
  endif()
  imgflo_multi_file_targets(targets ${ARGN})
  foreach(target IN LISTS targets)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
    endif()
    target_precompile_headers(${target} PRIVATE <nlohmann/json.hpp> <spdlog/spdlog.h> <string> <vector>
                              <map> <memory> <functional> <optional>)
    get_target_property(links ${target} LINK_LIBRARIES)
    if(links MATCHES "GTest::|imgflo_testsupport")
      target_precompile_headers(${target} PRIVATE <gtest/gtest.h>)
    endif()
  endforeach()
endfunction()
