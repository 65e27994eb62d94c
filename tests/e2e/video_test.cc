// Video inputs over HTTP (issue 16): an MP4/WebM/ASF input through a graph
// to .mp4 (checked with the real ffprobe), to an animated GIF, to a poster
// frame; the graph's frames compared with the still graph run on the same
// frames (extracted with the real ffmpeg); hostile videos answer 422 with the
// server's memory bounded.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vips/vips8>

#include "e2e/e2e_util.h"
#include "support/image_compare.h"
#include "support/paths.h"
#include "support/proc_stats.h"

namespace imgflo::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kVideo = "video-3dpmic.mp4";  // ASF: 848x480, 30 frames at 30 fps, MP2 audio

// stdout and stderr of a shell command.
std::string run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((cmd + " 2>&1").c_str(), "r"), pclose);
  std::string out;
  std::array<char, 512> buf{};
  while (pipe && fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// One entry of ffprobe for the first video stream ("codec_name", "width", "nb_read_frames" ...).
std::string probe(const fs::path& file, const std::string& entry, bool count = false) {
  return run("ffprobe -v error -select_streams v:0 " + std::string(count ? "-count_frames " : "") +
             "-show_entries stream=" + entry + " -of default=nw=1:nk=1 '" + file.string() + "'");
}

// Frame `n` of `video` as a PNG file.
fs::path extract_frame(const fs::path& video, int n, const fs::path& out) {
  run("ffmpeg -v error -y -i '" + video.string() + "' -vf 'select=eq(n\\," + std::to_string(n) + ")' -vframes 1 '" +
      out.string() + "'");
  return out;
}

void patch(const fs::path& from, const fs::path& to, std::string_view marker, size_t offset, const std::string& bytes) {
  std::string b = read_file(from);
  const size_t at = b.find(marker);
  if (at == std::string::npos || at + offset + bytes.size() > b.size()) throw std::runtime_error("marker not found");
  b.replace(at + offset, bytes.size(), bytes);
  write_file(to, b);
}

// The folder served as files/: the bundled video and hostile ones made here.
fs::path files() {
  static const fs::path dir = [] {
    const fs::path d = scratch_dir("video-files");
    fs::copy_file(example(kVideo), d / kVideo, fs::copy_options::overwrite_existing);
    const std::string lavfi = "ffmpeg -v error -y -f lavfi -i testsrc=s=64x48:r=25:d=0.4 ";
    run(lavfi + "-c:v libx264 -pix_fmt yuv420p -movflags +faststart '" + (d / "small.mp4").string() + "'");
    run(lavfi + "-c:v libvpx -b:v 100k '" + (d / "small.webm").string() + "'");
    run("ffmpeg -v error -y -f lavfi -i sine=d=1 -c:a aac '" + (d / "audio.mp4").string() + "'");
    const std::string small = read_file(d / "small.mp4");
    write_file(d / "truncated.mp4", small.substr(0, small.size() * 2 / 3));
    // Segment duration (EBML 44 89, an 8-byte float in ms): 4000 s, 100000 frames at 25 fps.
    const double ms = 4'000'000;
    std::string be(8, '\0');
    uint64_t bits = 0;
    std::memcpy(&bits, &ms, 8);
    for (int i = 0; i < 8; ++i) be[static_cast<size_t>(i)] = static_cast<char>(bits >> (56 - 8 * i));
    patch(d / "small.webm", d / "long.webm", "\x44\x89\x88", 3, be);
    // The VP8 key frame's size (after its start code 9D 01 2A): 16383 x 16383.
    patch(d / "small.webm", d / "huge.webm", "\x9D\x01\x2A", 3, "\xFF\x3F\xFF\x3F");
    // The ASF stream's bitmap header (after its size, 87) declares 16383 x 16383 (an .mp4 name, as kVideo).
    patch(d / kVideo, d / "huge-header.mp4", std::string("\x57\0\0\0\x50\x03\0\0\xE0\x01\0\0", 12), 4,
          std::string("\xFF\x3F\0\0\xFF\x3F\0\0", 8));
    return d;
  }();
  return dir;
}

// Results and extracted frames (scratch_dir() empties its folder on each call).
const fs::path& results() {
  static const fs::path dir = scratch_dir("video-results");
  return dir;
}

ServerProcess& server() {
  // The duration limit raised so that the declared frame count is what trips.
  static ServerProcess* s =
      new ServerProcess("video", {{"IMGFLO_RESOURCE_DIR", files().string()}, {"IMGFLO_VIDEO_MAX_SECONDS", "100000"}});
  return *s;
}

// The stored result of `path` (through its 301), saved as `name` in the scratch folder.
fs::path stored(const std::string& path, const std::string& name, std::string* content_type = nullptr) {
  const HttpResult first = http_get(server().url(path));
  EXPECT_EQ(first.status, 301) << path << ": " << first.body;
  const HttpResult r = http_get(resolve(server(), first.header("location")));
  EXPECT_EQ(r.status, 200) << path;
  if (content_type) *content_type = r.header("content-type");
  const fs::path out = results() / name;
  write_file(out, r.body);
  return out;
}

TEST(VideoOverHttp, Mp4IsH264WithTheInputsFramesAndIndexFirst) {
  std::string type;
  const fs::path mp4 =
      stored("/graph/passthrough.mp4?input=files%2F" + std::string(kVideo) + "&width=200", "passthrough.mp4", &type);
  EXPECT_EQ(type, "video/mp4");
  EXPECT_EQ(probe(mp4, "codec_name"), "h264");
  EXPECT_EQ(probe(mp4, "pix_fmt"), "yuv420p");
  EXPECT_EQ(probe(mp4, "width"), "200");
  const int in_frames = std::stoi(probe(files() / kVideo, "nb_read_frames", true));
  const int out_frames = std::stoi(probe(mp4, "nb_read_frames", true));
  EXPECT_NEAR(out_frames, in_frames, 1);
  const double fps = 30;
  EXPECT_NEAR(std::stod(probe(mp4, "duration")), std::stod(probe(files() / kVideo, "duration")), 1 / fps + 1e-3);
  // Plays from the start: the index (moov) is before the media data (mdat).
  const std::string bytes = read_file(mp4);
  ASSERT_NE(bytes.find("moov"), std::string::npos);
  EXPECT_LT(bytes.find("moov"), bytes.find("mdat"));
  // The MP2 audio is carried over unchanged.
  EXPECT_EQ(run("ffprobe -v error -select_streams a:0 -show_entries stream=codec_type -of default=nw=1:nk=1 '" +
                mp4.string() + "'"),
            "audio");
}

TEST(VideoOverHttp, GradientmapFramesMatchTheStillGraphOnTheSameFrames) {
  const fs::path mp4 =
      stored("/graph/gradientmap.mp4?input=files%2F" + std::string(kVideo) + "&width=320&video_bitrate=10000",
             "gradientmap.mp4");
  for (int n : {0, 15, 29}) {
    const std::string name = "frame-" + std::to_string(n) + ".png";
    extract_frame(files() / kVideo, n, files() / name);
    const fs::path still = stored("/graph/gradientmap.png?width=320&input=files%2F" + name, "still-" + name);
    const fs::path ours = extract_frame(mp4, n, results() / ("ours-" + name));
    const Comparison c = compare_files(ours.string(), still.string());
    EXPECT_TRUE(c.same_size) << c.describe();
    EXPECT_LE(c.mean_delta, 3) << "frame " << n << ": " << c.describe();
  }
}

TEST(VideoOverHttp, PosterFrameByIndexOrTime) {
  const fs::path expected = extract_frame(files() / kVideo, 10, results() / "input-10.png");
  std::string type;
  const fs::path poster =
      stored("/graph/passthrough.png?frame=10&input=files%2F" + std::string(kVideo), "poster-10.png", &type);
  EXPECT_EQ(type, "image/png");
  const Comparison c = compare_files(poster.string(), expected.string());
  EXPECT_TRUE(c.same_size) << c.describe();
  EXPECT_LE(c.mean_delta, 1) << c.describe();
  const fs::path by_time =
      stored("/graph/passthrough.png?time=0.34&input=files%2F" + std::string(kVideo), "poster-t.png");
  EXPECT_LE(compare_files(by_time.string(), expected.string()).mean_delta, 1);
  const HttpResult past =
      http_get(server().url("/graph/passthrough.png?frame=1000&input=files%2F" + std::string(kVideo)));
  EXPECT_EQ(past.status, 400) << past.body;
}

TEST(VideoOverHttp, GifOfAVideoIsAnimated) {
  const fs::path gif = stored("/graph/passthrough.gif?width=100&input=files%2F" + std::string(kVideo), "animated.gif");
  const std::string bytes = read_file(gif);
  const vips::VImage frames =
      vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "", vips::VImage::option()->set("n", -1));
  EXPECT_EQ(frames.get_int("n-pages"), 30);
  EXPECT_EQ(frames.width(), 100);
  EXPECT_NEAR(frames.get_array_int("delay").front(), 33, 10);  // GIF keeps centiseconds
}

TEST(VideoOverHttp, Mp4OfAStillImageIs422) {
  // A still image of this test's own (each ctest case is a process with its own files/ folder).
  extract_frame(files() / kVideo, 0, files() / "still.png");
  const HttpResult r = http_get(server().url("/graph/passthrough.mp4?input=files%2Fstill.png"));
  EXPECT_EQ(r.status, 422) << r.body;
}

TEST(VideoOverHttp, HostileVideosAnswer422WithBoundedMemory) {
  struct Case {
    std::string file;
    std::string type;
    std::string says;
    bool poster_too;  // a poster frame needs only the first frame: the length does not matter
  };
  for (const Case& c : {Case{"truncated.mp4", "undecodable-image", "truncated", false},
                        Case{"audio.mp4", "undecodable-image", "no video stream", true},
                        Case{"long.webm", "too-large", "IMGFLO_VIDEO_MAX_FRAMES", false},
                        Case{"huge.webm", "undecodable-image", "decoded", true},
                        Case{"huge-header.mp4", "too-large", "IMGFLO_VIDEO_MAX_FRAME_PIXELS", true}}) {
    for (const std::string ext : {"mp4", "png"}) {
      if (ext == "png" && !c.poster_too) continue;
      const HttpResult r = http_get(server().url("/graph/passthrough." + ext + "?input=files%2F" + c.file));
      EXPECT_EQ(r.status, 422) << c.file << ": " << r.body;
      EXPECT_EQ(r.json()["type"], c.type) << c.file << ": " << r.body;
      EXPECT_NE(r.json()["error"].get<std::string>().find(c.says), std::string::npos) << c.file << ": " << r.body;
    }
  }
  // A poster frame needs only its frame: the declared length does not matter.
  const fs::path poster = stored("/graph/passthrough.png?input=files%2Flong.webm", "long-poster.png");
  EXPECT_EQ(vips::VImage::new_from_file(poster.c_str()).width(), 64);
  // A 16383 x 16383 frame would be 800 MB as RGB: never allocated.
  const auto mem = proc_memory(server().pid());
  ASSERT_TRUE(mem.has_value());
  EXPECT_LT(mem->hwm_bytes, 400LL << 20);
  EXPECT_EQ(http_get(server().url("/health")).status, 200);
}

}  // namespace
}  // namespace imgflo::test
