# imgflo_multi_file_targets(OUT DIRS dir...): the libraries and executables defined in those source
# directories that have at least three sources (the targets precompiled headers and unity batches
# pay off for; cmake/precompiled.cmake and cmake/unity.cmake use it). Call after the targets exist.
function(imgflo_multi_file_targets out)
  cmake_parse_arguments(ARG "" "" "DIRS" ${ARGN})
  set(found "")
  foreach(dir IN LISTS ARG_DIRS)
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      get_target_property(type ${target} TYPE)
      get_target_property(sources ${target} SOURCES)
      list(LENGTH sources count)
      if(type MATCHES "^(STATIC_LIBRARY|EXECUTABLE)$" AND count GREATER_EQUAL 3)
        list(APPEND found ${target})
      endif()
    endforeach()
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()
