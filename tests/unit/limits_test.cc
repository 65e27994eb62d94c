// Limits of the runtime: pixel bombs refused from the header, truncated and
// corrupt data refused, deadlines that stop running work, unknown components.
#include "runtime/codec.h"
#include "runtime/registry.h"
#include "runtime/runtime.h"
#include "runtime/vips_eval.h"
#include "support/oracle.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <chrono>

namespace imgflo::runtime {
namespace {

using test::example;
using test::read_file;

// A PNG whose IHDR claims 100000 x 100000 pixels, followed by garbage: a
// decoder that allocated before checking would try 30 GB.
std::string png_bomb() {
  vips::VImage small = vips::VImage::black(8, 8);
  void* buf = nullptr;
  size_t len = 0;
  small.write_to_buffer(".png", &buf, &len);
  std::string png(static_cast<char*>(buf), len);
  g_free(buf);
  // IHDR data starts at byte 16: width, height big-endian. (The CRC is now wrong,
  // which is fine: we must refuse on the header's size before anything else.)
  const unsigned char dims[8] = {0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0};
  png.replace(16, 8, reinterpret_cast<const char*>(dims), 8);
  return png;
}

TEST(Decode, RefusesPixelBombFromHeader) {
  const std::string jpeg = read_file(example("grid-toastybob.jpg"));  // 768 x 1024
  auto r = decode(jpeg, {{768 * 1024 - 1}, 1, {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);
  EXPECT_TRUE(decode(jpeg, {{768 * 1024}, 1, {}}).ok());
}

TEST(Decode, RefusesHugePngHeaderQuickly) {
  const auto start = std::chrono::steady_clock::now();
  auto r = decode(png_bomb(), {});
  ASSERT_FALSE(r.ok());
  // Either the header check (kTooLarge) or libpng's CRC check (kUndecodable)
  // refuses it, without allocating: well under a second.
  EXPECT_TRUE(r.error().kind() == ErrorKind::kTooLarge || r.error().kind() == ErrorKind::kUndecodable)
      << r.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(Decode, TruncatedJpegFails) {
  const std::string jpeg = read_file(example("grid-toastybob.jpg"));
  auto r = decode(jpeg.substr(0, jpeg.size() / 2), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kUndecodable);
}

Result<Output> run_passthrough(const std::string& input, Stop stop = {}) {
  auto g = graph::parse_fbp_graph("INPORT=n.INPUT:INPUT\nOUTPORT=n.OUTPUT:OUTPUT\nn(gegl/nop)\n", "n.fbp");
  auto exe = make_imgflo_runtime(builtin_registry())->compile(*g);
  RunRequest req;
  req.out_type = "png";
  req.input = input;
  req.stop = stop;
  return (*exe)->run(req);
}

TEST(Decode, TruncatedPngFailsWhenPixelsAreRead) {
  // The PNG header is intact, so the failure only shows while decoding pixels;
  // it must still be reported as the input's fault.
  const std::string png = read_file(example("mountains.png"));
  auto r = run_passthrough(png.substr(0, png.size() * 2 / 3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kUndecodable) << r.error().message();
  EXPECT_TRUE(run_passthrough(png).ok());
}

TEST(Decode, StreamingAndInMemoryJpegAreIdentical) {
  for (const char* name : {"grid-toastybob.jpg", "cmyk-color.jpg", "gridbear.jpg"}) {
    const std::string jpeg = read_file(example(name));
    for (int shrink : {1, 2}) {
      auto mem = decode(jpeg, {{}, shrink, {}, false});
      auto seq = decode(jpeg, {{}, shrink, {}, true});
      ASSERT_TRUE(mem.ok() && seq.ok()) << name;
      EXPECT_EQ(mem->format, seq->format) << name;
      const vips::VImage diff = (mem->pixels.cast(VIPS_FORMAT_INT) - seq->pixels.cast(VIPS_FORMAT_INT)).abs();
      EXPECT_EQ(diff.max(), 0.0) << name << " shrink " << shrink;
    }
  }
}

TEST(Decode, TruncatedJpegStreamFailsAsUndecodable) {
  // passthrough streams its input: the truncation shows only while encoding.
  const std::string jpeg = read_file(example("grid-toastybob.jpg"));
  auto r = run_passthrough(jpeg.substr(0, jpeg.size() / 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kUndecodable) << r.error().message();
}

TEST(Run, ExpiredDeadlineIsATimeout) {
  Stop stop;
  stop.deadline = Deadline::after(std::chrono::seconds(-1));
  auto r = run_passthrough(read_file(example("mountains.png")), stop);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTimeout);
}

TEST(Decode, UnknownFormatsAreUndecodable) {
  auto mp4 = decode(read_file(example("video-3dpmic.mp4")), {});
  ASSERT_FALSE(mp4.ok());
  EXPECT_EQ(mp4.error().kind(), ErrorKind::kUndecodable);
  auto empty = decode("", {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind(), ErrorKind::kUndecodable);
}

TEST(Decode, SniffsFormatFromBytes) {
  EXPECT_EQ(sniff(read_file(example("grid-toastybob.jpg"))), ImageType::kJpeg);
  EXPECT_EQ(sniff(read_file(example("mountains.png"))), ImageType::kPng);
  EXPECT_EQ(sniff(read_file(example("time.gif"))), ImageType::kGif);
  EXPECT_EQ(sniff(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), ImageType::kWebp);
  EXPECT_EQ(sniff(read_file(example("happy-kitten.svg"))), ImageType::kSvg);
  EXPECT_EQ(sniff("%PDF-1.4\n"), ImageType::kUnknown);
}

TEST(Evaluate, DeadlineKillsARunningPipeline) {
  // A lazy pipeline that takes seconds to compute.
  vips::VImage big = vips::VImage::black(6000, 6000).gaussblur(20);
  Stop stop;
  stop.deadline = Deadline::after(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  Status st = evaluate(big, stop, "test", [&] { (void)big.avg(); });
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kTimeout);
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(Evaluate, CancelTokenStopsWork) {
  vips::VImage big = vips::VImage::black(6000, 6000).gaussblur(20);
  Stop stop;
  stop.token.cancel();
  Status st = evaluate(big, stop, "test", [&] { (void)big.avg(); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kCancelled);
}

TEST(Compile, UnknownComponentsAreNamed) {
  auto g = graph::parse_fbp_graph(
      "INPORT=a.INPUT:INPUT\nOUTPORT=b.OUTPUT:OUTPUT\na(gegl/nop) OUTPUT -> INPUT b(gegl/frobnicate)\n"
      "c(imgflo/nothing) OUTPUT -> INPUT b",
      "u.fbp");
  ASSERT_TRUE(g.ok());
  auto exe = make_imgflo_runtime(builtin_registry())->compile(*g);
  ASSERT_FALSE(exe.ok());
  EXPECT_EQ(exe.error().kind(), ErrorKind::kGraphInvalid);
  EXPECT_NE(exe.error().message().find("gegl/frobnicate (node b)"), std::string::npos) << exe.error().message();
  EXPECT_NE(exe.error().message().find("imgflo/nothing (node c)"), std::string::npos) << exe.error().message();
}

TEST(Compile, CycleIsRefused) {
  auto g = graph::parse_fbp_graph(
      "INPORT=a.INPUT:INPUT\nOUTPORT=b.OUTPUT:OUTPUT\na(svg/src-over) OUTPUT -> INPUT b(gegl/nop)\n"
      "b OUTPUT -> AUX a",
      "cyc.fbp");
  ASSERT_TRUE(g.ok());
  auto exe = make_imgflo_runtime(builtin_registry())->compile(*g);
  ASSERT_FALSE(exe.ok());
  EXPECT_NE(exe.error().message().find("cycle"), std::string::npos);
}

TEST(Compile, MissingOutputAndBadEdges) {
  auto no_out = graph::parse_fbp_graph("INPORT=a.INPUT:INPUT\na(gegl/nop) OUTPUT -> INPUT b(gegl/nop)", "o.fbp");
  ASSERT_TRUE(no_out.ok());
  EXPECT_FALSE(make_imgflo_runtime(builtin_registry())->compile(*no_out).ok());
  auto into_property = graph::parse_fbp_graph(
      "INPORT=a.INPUT:INPUT\nOUTPORT=b.OUTPUT:OUTPUT\na(gegl/nop) OUTPUT -> X b(gegl/crop)", "p.fbp");
  ASSERT_TRUE(into_property.ok());
  auto exe = make_imgflo_runtime(builtin_registry())->compile(*into_property);
  ASSERT_FALSE(exe.ok());
  EXPECT_NE(exe.error().message().find("not an image pad"), std::string::npos) << exe.error().message();
}

TEST(Run, CropAreaOverThePixelLimitIsRefused) {
  const std::string fbp = "INPORT=c.INPUT:INPUT\nINPORT=c.WIDTH:W\nINPORT=c.HEIGHT:H\nOUTPORT=c.OUTPUT:OUTPUT\nc(gegl/crop)";
  try {
    test::run_fbp(fbp, read_file(example("gridbear.jpg")), {{"w", "100000"}, {"h", "100000"}});
    FAIL() << "a 10-gigapixel crop must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("over the limit"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace imgflo::runtime
