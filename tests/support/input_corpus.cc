#include "support/input_corpus.h"

#include "support/paths.h"

#include <spawn.h>
#include <sys/wait.h>

#include <functional>
#include <mutex>
#include <stdexcept>

extern char** environ;

namespace imgflo::test::corpus {

namespace {

// The corpus folder of this process (made on first use).
const fs::path& dir() {
  static const fs::path d = scratch_dir("input-corpus");
  return d;
}

// Builds `name` in the corpus folder with `make(path)` unless it exists.
// Builders call each other (the mutex is recursive).
fs::path built(const std::string& name, const std::function<void(const fs::path&)>& make) {
  static std::recursive_mutex mu;
  std::lock_guard lock(mu);
  const fs::path p = dir() / name;
  if (!fs::exists(p)) make(p);
  if (!fs::exists(p)) throw std::runtime_error("corpus file not made: " + p.string());
  return p;
}

std::string temp(const fs::path& p, const std::string& step) { return p.string() + "." + step + ".v"; }

// The transformation `vips autorot` undoes for orientation o: a mirror (2, 4,
// 5, 7), then the rotation back.
void store_for_orientation(const fs::path& out, int o) {
  const std::string ext = out.extension().string();
  std::string current = upright_png().string();
  if (o == 2 || o == 4 || o == 5 || o == 7) {
    run_tool({"vips", "flip", current, temp(out, "flip"), "horizontal"});
    current = temp(out, "flip");
  }
  const char* back = o == 3 || o == 4 ? "d180" : o == 5 || o == 6 ? "d270" : o == 7 || o == 8 ? "d90" : nullptr;
  if (back) {
    run_tool({"vips", "rot", current, temp(out, "rot"), back});
    current = temp(out, "rot");
  }
  if (ext == ".jpg") run_tool({"vips", "jpegsave", current, out.string(), "--Q", "95", "--strip"});
  if (ext == ".png") run_tool({"vips", "pngsave", current, out.string(), "--strip"});
  if (ext == ".webp") run_tool({"vips", "webpsave", current, out.string(), "--lossless", "--strip"});
  run_tool({"exiftool", "-q", "-n", "-overwrite_original", "-Orientation=" + std::to_string(o), out.string()});
}

void convert_into_profile(const fs::path& out, const std::string& profile_name) {
  const std::string options = out.extension() == ".jpg" ? "[Q=95]" : "";
  run_tool({"vips", "icc_transform", upright_png().string(), out.string() + options, profile(profile_name).string(),
            "--input-profile", "srgb"});
}

void to_srgb(const fs::path& out, const fs::path& input) {
  run_tool({"vips", "icc_transform", input.string(), out.string(), "srgb", "--embedded"});
}

}  // namespace

void run_tool(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  std::string line;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
    line += a + " ";
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) {
    throw std::runtime_error("cannot start: " + line);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("failed: " + line);
  }
}

fs::path upright_png() {
  return built("upright.png", [](const fs::path& p) {
    run_tool({"vips", "resize", example("mountains.png").string(), temp(p, "half"), "0.5"});
    run_tool({"vips", "pngsave", temp(p, "half"), p.string(), "--strip"});
  });
}

fs::path oriented(int o, const std::string& ext) {
  return built("orientation-" + std::to_string(o) + "." + ext, [o](const fs::path& p) { store_for_orientation(p, o); });
}

fs::path vips_autorot(int o) {
  return built("autorot-" + std::to_string(o) + ".png", [o](const fs::path& p) {
    run_tool({"vips", "autorot", oriented(o, "jpg").string(), p.string()});
  });
}

fs::path profile(const std::string& name) {
  const fs::path colord = fs::path("/usr/share/color/icc/colord") / (name + ".icc");
  const fs::path p = fs::exists(colord) ? colord : fs::path("/usr/share/color/icc") / (name + ".icc");
  if (!fs::exists(p)) throw std::runtime_error("ICC profile not installed: " + p.string());
  return p;
}

fs::path tagged(const std::string& profile_name, const std::string& ext) {
  return built("tagged-" + profile_name + "." + ext,
               [&](const fs::path& p) { convert_into_profile(p, profile_name); });
}

fs::path cmyk_jpeg_with_profile() {
  return built("cmyk.jpg", [](const fs::path& p) {
    run_tool({"vips", "icc_transform", upright_png().string(), p.string() + "[Q=95]", "cmyk", "--input-profile",
              "srgb"});
  });
}

fs::path vips_to_srgb(const fs::path& input) {
  return built("vips-srgb-" + input.filename().string() + ".png", [&](const fs::path& p) { to_srgb(p, input); });
}

fs::path png16() {
  return built("png16.png", [](const fs::path& p) {
    run_tool({"vips", "cast", upright_png().string(), temp(p, "float"), "float"});
    run_tool({"vips", "gaussblur", temp(p, "float"), temp(p, "blur"), "1.3"});
    run_tool({"vips", "linear", temp(p, "blur"), temp(p, "scaled"), "257", "0"});
    run_tool({"vips", "cast", temp(p, "scaled"), temp(p, "u16"), "ushort"});
    run_tool({"vips", "copy", temp(p, "u16"), p.string(), "--interpretation", "rgb16"});
  });
}

fs::path png16_truth() {
  return built("png16-truth.png", [](const fs::path& p) {
    // round(v * 255 / 65535): + 0.5, then cast truncates.
    run_tool({"vips", "linear", png16().string(), temp(p, "scaled"), "0.0038910505836575875", "0.5"});
    run_tool({"vips", "cast", temp(p, "scaled"), temp(p, "u8"), "uchar"});
    run_tool({"vips", "copy", temp(p, "u8"), p.string(), "--interpretation", "srgb"});
  });
}

fs::path png16_vips() {
  return built("png16-vips.png", [](const fs::path& p) {
    run_tool({"vips", "colourspace", png16().string(), p.string(), "srgb"});
  });
}

fs::path grey_jpeg() {
  return built("grey.jpg", [](const fs::path& p) {
    run_tool({"vips", "colourspace", upright_png().string(), temp(p, "grey"), "b-w"});
    run_tool({"vips", "jpegsave", temp(p, "grey"), p.string(), "--Q", "95", "--strip"});
  });
}

fs::path grey_png_with_profile() {
  return built("grey-gray-profile.png", [](const fs::path& p) {
    run_tool({"vips", "icc_transform", upright_png().string(), p.string(), profile("Gray").string(),
              "--input-profile", "srgb"});
  });
}

}  // namespace imgflo::test::corpus
