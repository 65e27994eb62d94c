// Fuzz target "json": FBP JSON graph files (graph::parse_json_graph, then the catalogue).
#include "fuzz_graph.h"

extern "C" int LLVMFuzzerInitialize(int*, char*** argv) {
  imgflo::fuzz::init((*argv)[0]);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  imgflo::fuzz::fuzz_graph_text(imgflo::fuzz::as_text(data, size), /*fbp=*/false);
  return 0;
}
