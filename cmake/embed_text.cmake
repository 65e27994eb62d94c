# Writes a C++ source file holding the text of one file, so data the runtime
# needs (lookup tables) is compiled into the binary and never read from disk.
#
#   cmake -DINPUT=data/x.json -DOUTPUT=build/x.cc -DSYMBOL=kName -DHEADER=runtime/embedded_data.h
#         -P cmake/embed_text.cmake
#
# The output defines `const std::string_view imgflo::embedded::<SYMBOL>`
# (declared in HEADER) as a raw string literal of the file's bytes.
foreach(var INPUT OUTPUT SYMBOL HEADER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_text.cmake: ${var} is not set")
  endif()
endforeach()

file(READ "${INPUT}" text)
set(delimiter "imgflo_embed")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "embed_text.cmake: ${INPUT} contains the raw-string delimiter")
endif()
get_filename_component(source_name "${INPUT}" NAME)

set(content "// Generated from ${source_name} by cmake/embed_text.cmake at build time; do not edit.\n")
string(APPEND content "#include \"${HEADER}\"\n\n")
string(APPEND content "namespace imgflo::embedded {\n\n")
string(APPEND content "const std::string_view ${SYMBOL} = R\"${delimiter}(${text})${delimiter}\";\n\n")
string(APPEND content "}  // namespace imgflo::embedded\n")

# Rewrite only on change so dependants do not rebuild needlessly.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" previous)
  if(previous STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${content}")
