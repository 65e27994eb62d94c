# Unity builds (included from the top-level CMakeLists.txt after every target exists).
#
# The sources of each multi-file target are compiled in batches: one translation unit includes up
# to IMGFLO_UNITY_BATCH .cc files, so the headers they share (libvips, Boost.Beast, nlohmann/json,
# spdlog) are parsed and their inline code compiled once per batch instead of once per file. This
# is what a clean build costs CI and a newcomer; numbers in bench/RESULTS.md ("CI build time").
#
# On by default. A developer iterating on one file may prefer -DIMGFLO_UNITY=OFF (a change then
# recompiles one file, not its batch). What it asks of the code: names at namespace scope,
# anonymous namespaces included, are unique across the files of one target, since a batch sees
# them together; CI builds with it, so a clash fails there. GCC's -Wsubobject-linkage is off for
# these targets: it takes every included file for a header and warns about the classes of a .cc
# file that hold types of its anonymous namespace.

include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
option(IMGFLO_UNITY "Compile each target's sources in batches (unity build)" ON)
set(IMGFLO_UNITY_BATCH 16 CACHE STRING "Source files per unity batch")

# imgflo_unity_build(DIRS dir...): every library and executable defined in those source
# directories with at least three sources is built in batches.
function(imgflo_unity_build)
  if(NOT IMGFLO_UNITY)
    return()
  endif()
  imgflo_multi_file_targets(targets ${ARGN})
  foreach(target IN LISTS targets)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${IMGFLO_UNITY_BATCH})
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
    endif()
  endforeach()
endfunction()
