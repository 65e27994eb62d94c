#include "support/reference_cases.h"

#include "core/query.h"
#include "support/paths.h"

#include <algorithm>

namespace imgflo::test {

namespace {

struct Row {
  const char* runtime;
  ReferenceCase c;
};

// From ../shared/testdata/README.md (the original's spec/graphtests.yaml).
const std::vector<Row>& rows() {
  static const std::vector<Row> r = {
      {"imgflo",
       {"crop_all_options",
        "/graph/crop.png?input=files%2Fgrid-toastybob.jpg&cropheight=110&cropwidth=130&x=200&y=230", 1.5,
        "crop_all_options.reference.png"}},
      {"imgflo",
       {"crop_default_jpeg", "/graph/crop.jpg?input=files%2Fgrid-toastybob.jpg", 1.5,
        "crop_default_jpeg.reference.jpg"}},
      {"imgflo",
       {"gradient_pscompat_bw100",
        "/graph/gradientmap.png?input=files%2Fgradient-black-white.png&color1=%230A2A2F&color2=%23FDE7A0&stop1=0&"
        "stop2=1&srgb=true",
        1.5, "gradient_pscompat_bw100.reference.png"}},
      {"imgflo",
       {"gaussian", "/graph/gaussianblur.png?input=files%2Fmountains.png&std-dev-x=60&std-dev-y=60", 1.5,
        "gaussian.reference.png"}},
      {"imgflo",
       {"imgflo_resize_heightonly", "/graph/desaturate?height=300&input=files%2Fgrid-toastybob.jpg", 100,
        "imgflo_resize_heightonly.reference.jpg"}},
      {"imgflo",
       {"regcheck_cmyk_jpeg", "/graph/passthrough.png?input=files/cmyk-color.jpg", 1.5,
        "regcheck_cmyk_jpeg.reference.png", true}},
      {"noop", {"gif_animated_noop", "/graph/noop.gif?input=files%2Ftime.gif", -1, ""}},
      {"canvas",
       {"delaunay_triangles_foobar100", "/graph/delaunay_triangles.png?seed=foobar&width=100&height=100", 20,
        "delaunay_triangles_foobar100.reference.png"}},
  };
  return r;
}

}  // namespace

std::vector<ReferenceCase> reference_cases(const std::vector<std::string>& runtimes) {
  std::vector<ReferenceCase> out;
  for (const auto& row : rows()) {
    if (std::find(runtimes.begin(), runtimes.end(), row.runtime) != runtimes.end()) out.push_back(row.c);
  }
  return out;
}

void PrintTo(const ReferenceCase& c, std::ostream* os) { *os << c.name; }

CaseRequest parse_case_url(const std::string& url) {
  CaseRequest r;
  const std::string prefix = "/graph/";
  const size_t q = url.find('?');
  r.graph_spec = url.substr(prefix.size(), (q == std::string::npos ? url.size() : q) - prefix.size());
  if (q == std::string::npos) return r;
  for (auto& [k, v] : parse_query(url.substr(q + 1))) {
    if (k == "input") {
      const std::string files = "files/";
      r.input_file = example(v.substr(v.rfind(files, 0) == 0 ? files.size() : 0)).string();
    } else {
      r.params.emplace_back(k, v);
    }
  }
  return r;
}

}  // namespace imgflo::test
