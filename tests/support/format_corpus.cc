#include "support/format_corpus.h"

#include "support/paths.h"
#include "support/test_text.h"

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <sys/wait.h>

namespace imgflo::test {

namespace fs = std::filesystem;

namespace {

void run(const std::string& cmd) {
  const int status = std::system((cmd + " >/dev/null 2>&1").c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("command failed: " + cmd);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

const fs::path& corpus_dir() {
  static const fs::path dir = scratch_dir("format-corpus");
  return dir;
}

std::mutex& corpus_mutex() {
  static std::mutex mu;
  return mu;
}

const FormatSample& sample(const std::string& name) {
  for (const auto& s : format_samples()) {
    if (s.name == name) return s;
  }
  throw std::runtime_error("no format sample " + name);
}

void put_be32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
}

void put_le(std::string& s, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::vector<bool> bits_lsb_first(std::string_view bytes) {
  std::vector<bool> bits;
  for (unsigned char c : bytes) {
    for (int i = 0; i < 8; ++i) bits.push_back((c >> i) & 1);
  }
  return bits;
}

void append_bits(std::vector<bool>& bits, uint32_t value, int width) {
  for (int i = 0; i < width; ++i) bits.push_back((value >> i) & 1);
}

}  // namespace

const std::vector<FormatSample>& format_samples() {
  static const std::vector<FormatSample> samples = {
      {"gridbear.heic", "gridbear.jpg", "copy IN OUT", 150, 150},
      {"gridbear.avif", "gridbear.jpg", "copy IN OUT", 150, 150},
      {"gridbear.jxl", "gridbear.jpg", "copy IN OUT", 150, 150},
      {"gridbear.tif", "gridbear.jpg", "copy IN OUT", 150, 150},
      {"gridbear-bigtiff.tif", "gridbear.jpg", "copy IN OUT[bigtiff,compression=deflate]", 150, 150},
      {"gridbear16.tif", "gridbear.jpg", "colourspace IN OUT rgb16", 150, 150},
      {"gridbear16.png", "gridbear.jpg", "colourspace IN OUT rgb16", 150, 150},
      {"gridbear-grey.png", "gridbear.jpg", "colourspace IN OUT b-w", 150, 150},
      {"gridbear-palette.png", "gridbear.jpg", "copy IN OUT[palette]", 150, 150},
      {"time-pages.tif", "time.gif", "copy IN[n=-1] OUT", 500, 500},
      {"happy-kitten.svg", "happy-kitten.svg", "", 744, 579},
  };
  return samples;
}

fs::path format_file(const std::string& name) {
  const FormatSample& s = sample(name);
  if (s.vips.empty()) return example(s.source);
  const std::lock_guard lock(corpus_mutex());
  const fs::path out = corpus_dir() / name;
  if (!fs::exists(out)) {
    const std::string args = replace_all(replace_all(s.vips, "IN", shell_quote(example(s.source).string())), "OUT",
                                         shell_quote(out.string()));
    run("vips " + args);
  }
  return out;
}

std::string vips_own_png(const std::string& name) {
  const fs::path in = format_file(name);
  const fs::path out = corpus_dir() / (name + ".vips.png");
  {
    const std::lock_guard lock(corpus_mutex());
    if (!fs::exists(out)) run("vips copy " + shell_quote(in.string()) + " " + shell_quote(out.string()));
  }
  return read_file(out);
}

std::string heif_with_size(const std::string& heif_bytes, uint32_t side) {
  // 'ispe' box: size(4) 'ispe' version+flags(4) width(4) height(4).
  const size_t at = heif_bytes.find("ispe");
  if (at == std::string::npos || at + 16 > heif_bytes.size()) throw std::runtime_error("no ispe box");
  std::string out = heif_bytes;
  put_be32(out, at + 8, side);
  put_be32(out, at + 12, side);
  return out;
}

std::string jxl_with_size(const std::string& jxl_bytes, uint32_t side) {
  // After FF 0A, bits read LSB first: small(1) = 0, then the height as U32
  // (selector(2): 0 -> 9 bits, 1 -> 13, 2 -> 18, 3 -> 30; value + 1), then
  // ratio(3); ratio 1 means width = height. Only small = 0 with a 9-bit height
  // and a non-zero ratio (as `vips copy` writes a 150 x 150 image) is handled.
  if (jxl_bytes.size() < 4 || jxl_bytes.compare(0, 2, "\xFF\x0A") != 0) throw std::runtime_error("not a JXL codestream");
  const std::vector<bool> in = bits_lsb_first(std::string_view(jxl_bytes).substr(2));
  if (in[0] || in[1] || in[2]) throw std::runtime_error("unexpected JXL size header");
  std::vector<bool> bits;
  append_bits(bits, 0, 1);
  append_bits(bits, 2, 2);
  append_bits(bits, side - 1, 18);
  append_bits(bits, 1, 3);
  bits.insert(bits.end(), in.begin() + 15, in.end());
  std::string out = "\xFF\x0A";
  for (size_t i = 0; i < bits.size(); i += 8) {
    unsigned char c = 0;
    for (size_t j = 0; j < 8 && i + j < bits.size(); ++j) c |= static_cast<unsigned char>(bits[i + j] << j);
    out += static_cast<char>(c);
  }
  return out;
}

std::string tiff_bomb(uint32_t side) {
  struct Entry {
    uint16_t tag, type;
    uint32_t value;
  };
  constexpr uint16_t kShort = 3, kLong = 4;
  const Entry entries[] = {{256, kLong, side}, {257, kLong, side}, {258, kShort, 8},   {259, kShort, 1},
                           {262, kShort, 1},   {273, kLong, 0},    {277, kShort, 1},  {278, kLong, side},
                           {279, kLong, 16}};
  constexpr uint32_t kIfd = 8;
  const uint32_t data_at = kIfd + 2 + 12 * static_cast<uint32_t>(std::size(entries)) + 4;
  std::string t = "II*";
  t += '\0';
  put_le(t, kIfd, 4);
  put_le(t, static_cast<uint32_t>(std::size(entries)), 2);
  for (const Entry& e : entries) {
    put_le(t, e.tag, 2);
    put_le(t, e.type, 2);
    put_le(t, 1, 4);
    put_le(t, e.tag == 273 ? data_at : e.value, 4);  // SHORT values sit in the low bytes
  }
  put_le(t, 0, 4);  // no next IFD
  return t + std::string(16, '\x80');
}

std::string svg_sized(const std::string& width, const std::string& height) {
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"";
  if (!width.empty()) svg += " width=\"" + width + "\"";
  if (!height.empty()) svg += " height=\"" + height + "\"";
  return svg + "><rect width=\"10\" height=\"10\"/></svg>\n";
}

}  // namespace imgflo::test
