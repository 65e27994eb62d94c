// Test helpers for comparing our ops with Debian's GEGL 0.4.42 as an oracle.
//
//   run_gegl(input, "gegl:gaussian-blur std-dev-x=3 std-dev-y=3", dir)
// runs the gegl CLI (`GEGL_THREADS=1 gegl INPUT -o OUT.png -- CHAIN`) and returns the PNG
// bytes (GEGL writes 16-bit PNGs; compare_images is format-agnostic); OUT.jpg on request.
//
//   run_fbp(text, input_bytes, params, "png")
// compiles an .fbp graph text with the built-in ops and runs it the way the
// service does (decode, optional rescale, graph, encode).
#pragma once

#include "runtime/program.h"

#include <filesystem>
#include <string>

namespace imgflo::test {

// Whether run_gegl may reuse an earlier run's output: GEGL is deterministic for a given input
// and chain except in ops with their own randomness (c2g's spray), which must pass kFresh.
enum class OracleRun { kReusable, kFresh };

// Throws std::runtime_error when gegl fails or writes nothing. `extension`
// picks GEGL's saver ("png": 16-bit; "jpg": quality 90, progressive).
// When the environment names a folder in IMGFLO_GEGL_ORACLE_CACHE (scripts/test.sh and
// scripts/sanitize.sh set one per clone), a reusable run's output is kept there under the
// SHA-256 of the gegl binary's size and mtime, the input's bytes, the chain and the extension,
// and later runs (the sanitizer stage after the release stage) read it instead of running GEGL.
std::string run_gegl(const std::filesystem::path& input, const std::string& chain,
                     const std::filesystem::path& scratch, const std::string& extension = "png",
                     OracleRun run = OracleRun::kReusable);

// Throws std::runtime_error with the Error's message when the graph fails.
std::string run_fbp(const std::string& fbp_text, const std::string& input_bytes, const request::Params& params,
                    const std::string& out_type = "png");

}  // namespace imgflo::test
