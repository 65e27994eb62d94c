// The peak-memory estimate (runtime/memory_estimate.h) of the bundled graphs
// on inputs made with the vips CLI: what it reads from the headers and the
// graph (pixels decoded and processed, streaming, per-op costs, named inputs,
// frames), that it follows width/height and the output type, that bad headers
// give the error run() would give, and that it saturates instead of wrapping.
#include "app/runtimes.h"
#include "runtime/catalogue.h"
#include "runtime/codec.h"
#include "runtime/memory_estimate.h"
#include "runtime/registry.h"
#include "runtime/runtime.h"
#include "support/input_corpus.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace imgflo::runtime {
namespace {

class MemoryEstimate : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = Catalogue::load(test::graph_dir(), app::builtin_runtimes());
    ASSERT_TRUE(c.ok()) << c.error().message();
    catalogue_ = c->release();
    const auto dir = test::scratch_dir("memory-estimate");
    big_ = new std::string(make_jpeg(dir, 3000, 2000));
  }
  static void TearDownTestSuite() {
    delete catalogue_;
    delete big_;
  }

  // A black W x H JPEG made by the vips CLI, as bytes.
  static std::string make_jpeg(const std::filesystem::path& dir, int w, int h) {
    const auto path = dir / ("black-" + std::to_string(w) + "x" + std::to_string(h) + ".jpg");
    test::corpus::run_tool({"vips", "black", path.string(), std::to_string(w), std::to_string(h), "--bands", "3"});
    return read(path);
  }
  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // The graph compiled again (the catalogue keeps only its Executable).
  static std::shared_ptr<const Program> program(const std::string& graph) {
    auto entry = catalogue_->find(graph);
    EXPECT_TRUE(entry.ok()) << graph;
    auto p = Program::compile((*entry)->graph, builtin_registry());
    EXPECT_TRUE(p.ok()) << graph;
    return *p;
  }
  static RunRequest request(const std::string& out_type, std::string_view input, request::Params params = {}) {
    RunRequest r;
    r.out_type = out_type;
    r.input = input;
    r.params = std::move(params);
    return r;
  }
  static JobShape shape(const std::string& graph, const RunRequest& req) {
    auto s = job_shape(*program(graph), req);
    EXPECT_TRUE(s.ok()) << graph << ": " << s.error().message();
    return s.ok() ? *s : JobShape{};
  }
  static uint64_t estimate(const std::string& graph, const RunRequest& req) {
    auto entry = catalogue_->find(graph);
    EXPECT_TRUE(entry.ok()) << graph;
    auto e = (*entry)->executable->estimate_memory(req);
    EXPECT_TRUE(e.ok()) << graph << ": " << e.error().message();
    return e.ok() ? *e : 0;
  }

  static Catalogue* catalogue_;
  static std::string* big_;
};
Catalogue* MemoryEstimate::catalogue_ = nullptr;
std::string* MemoryEstimate::big_ = nullptr;

TEST_F(MemoryEstimate, ReadsThePixelsFromTheHeaderAndTheCostsFromTheGraph) {
  const JobShape pass = shape("passthrough", request("jpg", *big_));
  EXPECT_EQ(pass.decoded_pixels, 6'000'000u);
  EXPECT_EQ(pass.graph_pixels, 6'000'000u);
  EXPECT_EQ(pass.input_bytes, big_->size());
  EXPECT_TRUE(pass.streamed);
  EXPECT_EQ(pass.ops_bytes_per_pixel, 0);

  const JobShape blur = shape("gaussianblur", request("jpg", *big_));
  EXPECT_FALSE(blur.streamed);
  EXPECT_EQ(blur.ops_bytes_per_pixel, op_bytes_per_pixel("gegl/gaussian-blur"));
  const JobShape halo = shape("halodarken", request("jpg", *big_));
  EXPECT_EQ(halo.ops_bytes_per_pixel,
            op_bytes_per_pixel("gegl/gaussian-blur") + op_bytes_per_pixel("gegl/edge-sobel"));

  // The JPEG's window of decoded rows (8 MB: 512 rows of 3000 RGB pixels are
  // less) and the blur's buffers, per pixel, on top of the same base.
  EXPECT_EQ(blur.window_bytes, kJpegWindowBytes);
  const uint64_t extra = estimate("gaussianblur", request("jpg", *big_)) - estimate("passthrough", request("jpg", *big_));
  EXPECT_EQ(extra, kJpegWindowBytes + static_cast<uint64_t>(6'000'000 * op_bytes_per_pixel("gegl/gaussian-blur")));
}

TEST_F(MemoryEstimate, FollowsWidthAndHeightAndTheOutputType) {
  const JobShape small = shape("gaussianblur", request("jpg", *big_, {{"width", "300"}}));
  EXPECT_EQ(small.graph_pixels, 300u * 200u);
  EXPECT_GE(small.decoded_pixels, small.graph_pixels);
  EXPECT_LE(small.decoded_pixels, 4 * small.graph_pixels);  // shrink-on-load
  const uint64_t full = estimate("gaussianblur", request("jpg", *big_)) - kJobBaseBytes;
  EXPECT_LT(estimate("gaussianblur", request("jpg", *big_, {{"width", "300"}})) - kJobBaseBytes, full / 20);
  EXPECT_LT(estimate("passthrough", request("png", *big_)), estimate("passthrough", request("jpg", *big_)));
  EXPECT_LT(estimate("passthrough", request("jpg", *big_)), estimate("passthrough", request("jxl", *big_)));
}

TEST_F(MemoryEstimate, CountsNamedInputsAndAnimationFrames) {
  const std::string mark = read(test::example("gradient_rainbow.png"));  // 400 x 100
  RunRequest req = request("jpg", *big_);
  req.images.emplace_back("watermark", mark);
  const JobShape s = shape("watermark", req);
  EXPECT_EQ(s.named_pixels, 400u * 100u);
  EXPECT_EQ(s.input_bytes, big_->size() + mark.size());

  const std::string gif = read(test::example("time.gif"));
  EXPECT_GT(shape("passthrough", request("gif", gif)).frames, 1u);
  EXPECT_EQ(shape("passthrough", request("png", gif)).frames, 1u);  // a still of the first frame
}

TEST_F(MemoryEstimate, BadHeadersAndParametersGiveTheErrorsOfARun) {
  auto garbage = catalogue_->find("gaussianblur").value()->executable->estimate_memory(request("jpg", "not an image"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().kind(), ErrorKind::kUndecodable);
  auto bad_width = job_shape(*program("passthrough"), request("jpg", *big_, {{"width", "100"}, {"fit", "cover"}}));
  ASSERT_FALSE(bad_width.ok());
  EXPECT_EQ(bad_width.error().kind(), ErrorKind::kInvalidArgument);
  RunRequest req = request("jpg", *big_);
  req.images.emplace_back("watermark", "GIF89a truncated");
  auto bad_mark = job_shape(*program("watermark"), req);
  ASSERT_FALSE(bad_mark.ok());
  EXPECT_NE(bad_mark.error().message().find("watermark"), std::string::npos) << bad_mark.error().message();
}

TEST_F(MemoryEstimate, RunsThatDecodeNothingCostTheBaseAndTheirBytes) {
  const std::string bytes(1000, 'x');
  EXPECT_EQ(estimate("noop", request("", bytes)), kJobBaseBytes + 2000);
}

TEST(MemoryEstimateModel, SaturatesInsteadOfOverflowing) {
  JobShape s;
  s.out_type = "jxl";
  s.decoded_pixels = s.graph_pixels = s.named_pixels = UINT64_MAX / 2;
  s.frames = UINT64_MAX / 4;
  s.input_bytes = UINT64_MAX - 5;
  s.ops_bytes_per_pixel = 1e6;
  EXPECT_EQ(estimate_peak_bytes(s), UINT64_MAX);
}

TEST(MemoryEstimateModel, StreamedInputsAreNotChargedAWholeDecode) {
  JobShape s;
  s.out_type = "png";
  s.decoded_pixels = s.graph_pixels = 2'000'000;  // 6 MB decoded: over kSmallJpegBytes
  const uint64_t whole = estimate_peak_bytes(s);
  s.streamed = true;
  EXPECT_EQ(whole - estimate_peak_bytes(s), static_cast<uint64_t>(2'000'000 * kWholeDecodeBytes));
}

// Small JPEGs are decoded whole even for streaming graphs (codec.h): charged whole.
TEST(MemoryEstimateModel, SmallStreamedInputsAreChargedWhole) {
  JobShape s;
  s.out_type = "png";
  s.decoded_pixels = s.graph_pixels = kSmallJpegBytes / 3;
  const uint64_t whole = estimate_peak_bytes(s);
  s.streamed = true;
  EXPECT_EQ(estimate_peak_bytes(s), whole);
  s.decoded_pixels = s.graph_pixels = kSmallJpegBytes / 3 + 1;
  const uint64_t larger = estimate_peak_bytes(s);
  s.streamed = false;
  EXPECT_EQ(estimate_peak_bytes(s) - larger, static_cast<uint64_t>((kSmallJpegBytes / 3 + 1) * kWholeDecodeBytes));
}

// A windowed decode is charged its window, never more than the whole decode.
TEST(MemoryEstimateModel, WindowedInputsAreChargedTheirWindow) {
  JobShape s;
  s.out_type = "png";
  s.decoded_pixels = s.graph_pixels = 2'000'000;
  const uint64_t whole = estimate_peak_bytes(s);
  s.window_bytes = 1000;
  EXPECT_EQ(whole - estimate_peak_bytes(s), static_cast<uint64_t>(2'000'000 * kWholeDecodeBytes) - 1000);
  s.window_bytes = 1'000'000'000;
  EXPECT_EQ(estimate_peak_bytes(s), whole);
  s.streamed = true;  // a stream holds no window
  EXPECT_EQ(whole - estimate_peak_bytes(s), static_cast<uint64_t>(2'000'000 * kWholeDecodeBytes));
}

}  // namespace
}  // namespace imgflo::runtime
