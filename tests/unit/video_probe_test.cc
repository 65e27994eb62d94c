// Video inputs: sniffing the container from the bytes, the limit arithmetic
// checked from the header and while decoding, a frame size declared by the
// container refused from the header, and the video parameters.
#include "runtime/video/video_probe.h"

#include <gtest/gtest.h>

#include <string>

#include "runtime/video/video_decoder.h"
#include "runtime/video/video_encoder.h"
#include "runtime/video/video_pipeline.h"
#include "support/paths.h"
#include "support/test_text.h"

namespace imgflo::runtime::video {
namespace {

std::string ftyp(const std::string& major) {
  return std::string("\0\0\0\x18", 4) + "ftyp" + major + std::string(4, '\0') + major + "mp41";
}

TEST(VideoSniff, RecognisesTheAcceptedContainers) {
  EXPECT_EQ(sniff_video(test::read_file(test::example("video-3dpmic.mp4"))), VideoContainer::kAsf);
  for (const char* brand : {"isom", "mp42", "avc1", "qt  ", "M4V ", "3gp5", "dash"}) {
    EXPECT_EQ(sniff_video(ftyp(brand)), VideoContainer::kMp4) << brand;
  }
  EXPECT_EQ(sniff_video(std::string("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm", 16)),
            VideoContainer::kWebm);
  EXPECT_EQ(sniff_video(std::string("\x1A\x45\xDF\xA3\x9F\x42\x82\x88matroska", 16)), VideoContainer::kWebm);
}

TEST(VideoSniff, RefusesImagesAndFragments) {
  EXPECT_EQ(sniff_video(ftyp("avif")), VideoContainer::kNone);  // an AVIF image
  EXPECT_EQ(sniff_video(ftyp("heic")), VideoContainer::kNone);
  EXPECT_EQ(sniff_video(ftyp("crx ")), VideoContainer::kNone);  // not a video brand
  EXPECT_EQ(sniff_video(test::read_file(test::example("gridbear.jpg"))), VideoContainer::kNone);
  EXPECT_EQ(sniff_video(std::string("\x1A\x45\xDF\xA3\x9F\x42\x82\x84webx", 12)), VideoContainer::kNone);
  EXPECT_EQ(sniff_video(std::string("\x1A\x45\xDF\xA3", 4)), VideoContainer::kNone);
  EXPECT_EQ(sniff_video(""), VideoContainer::kNone);
  const std::string asf = test::read_file(test::example("video-3dpmic.mp4")).substr(0, 15);
  EXPECT_EQ(sniff_video(asf), VideoContainer::kNone);  // a GUID cut short
}

VideoInfo info(int w, int h, double seconds, int64_t frames) {
  VideoInfo i;
  i.width = w;
  i.height = h;
  i.duration_s = seconds;
  i.frames = frames;
  return i;
}

std::string refusal(const Status& st) { return st.ok() ? "ok" : st.error().message(); }

TEST(VideoLimitsCheck, EachLimitNamesItsSetting) {
  const VideoLimits limits;  // the defaults
  EXPECT_TRUE(check_video_limits(info(1920, 1080, 60, 1800), 640, 360, limits).ok());
  EXPECT_NE(refusal(check_video_limits(info(64, 48, 301, 10), 64, 48, limits)).find("IMGFLO_VIDEO_MAX_SECONDS"),
            std::string::npos);
  EXPECT_NE(refusal(check_video_limits(info(64, 48, 0, 100'000), 64, 48, limits)).find("IMGFLO_VIDEO_MAX_FRAMES"),
            std::string::npos);
  EXPECT_NE(refusal(check_video_limits(info(16383, 16383, 1, 1), 64, 48, limits)).find("MAX_FRAME_PIXELS"),
            std::string::npos);  // as stored
  EXPECT_NE(refusal(check_video_limits(info(64, 48, 1, 1), 4000, 4000, limits)).find("MAX_FRAME_PIXELS"),
            std::string::npos);  // as the graph gets it
  // 9000 frames of 3840x2160 = 74.6 G pixels, over the 20 G default.
  const Status total = check_video_limits(info(3840, 2160, 300, 9000), 3840, 2160, limits);
  EXPECT_NE(refusal(total).find("IMGFLO_VIDEO_MAX_TOTAL_PIXELS"), std::string::npos);
  EXPECT_EQ(total.error().kind(), ErrorKind::kTooLarge);
}

TEST(VideoLimitsCheck, UnknownValuesPassAndHugeOnesDoNotOverflow) {
  const VideoLimits limits;
  EXPECT_TRUE(check_video_limits(info(640, 480, 0, 0), 640, 480, limits).ok());
  VideoLimits loose;
  loose.max_frames = INT64_MAX;
  loose.max_seconds = 1e300;
  loose.max_frame_pixels = UINT64_MAX;
  EXPECT_FALSE(check_video_limits(info(65535, 65535, 1, INT64_MAX), 65535, 65535, loose).ok());  // total pixels
}

TEST(VideoLimitsCheck, CountedWhileDecoding) {
  VideoLimits limits;
  limits.max_frames = 10;
  limits.max_seconds = 2;
  limits.max_total_pixels = 1000;
  EXPECT_TRUE(check_decoded_frame(10, 1.9, 100, limits).ok());
  EXPECT_FALSE(check_decoded_frame(11, 1.9, 10, limits).ok());
  EXPECT_FALSE(check_decoded_frame(2, 2.1, 10, limits).ok());
  EXPECT_FALSE(check_decoded_frame(2, 0.1, 501, limits).ok());  // 2 x 501 > 1000
}

// `bytes` with `replacement` written `offset` bytes after the first `marker` at or after `from`.
std::string patched(std::string bytes, std::string_view marker, size_t offset, std::string_view replacement,
                    size_t from = 0) {
  const size_t at = bytes.find(marker, from);
  if (at == std::string::npos || at + offset + replacement.size() > bytes.size()) return "";
  bytes.replace(at + offset, replacement.size(), replacement);
  return bytes;
}

// An H.264 MP4 of three 64 x 48 grey frames, made with our own encoder.
std::string small_mp4() {
  auto encoder = Mp4Encoder::open(EncoderSettings{.width = 64, .height = 48}, nullptr);
  if (!encoder.ok()) return "";
  const vips::VImage grey = vips::VImage::black(64, 48, vips::VImage::option()->set("bands", 3)).linear(1.0, 128.0)
                                .cast(VIPS_FORMAT_UCHAR)
                                .copy_memory();
  for (int i = 0; i < 3; ++i) {
    if (!(*encoder)->write_frame(grey).ok()) return "";
  }
  auto bytes = (*encoder)->finish();
  return bytes.ok() ? *bytes : "";
}

// VideoDecoder::open's refusal, "ok" when it opened.
std::string open_refusal(std::string_view bytes, const VideoLimits& limits = {}) {
  auto decoder = VideoDecoder::open(bytes, sniff_video(bytes), limits);
  if (decoder.ok()) return "ok";
  return std::string(decoder.error().kind() == ErrorKind::kTooLarge ? "too large: " : "other: ") +
         decoder.error().message();
}

TEST(VideoHeaderLimits, AsfBitmapHeaderDeclaringAHugeFrameIsTooLarge) {
  const std::string asf = test::read_file(test::example("video-3dpmic.mp4"));
  EXPECT_EQ(open_refusal(asf), "ok");
  // The video stream's bitmap header (its size, 87 = 40 + the codec's extra data, then
  // 848 x 480) claims 16383 x 16383.
  const std::string huge = patched(asf, std::string("\x57\0\0\0\x50\x03\0\0\xE0\x01\0\0", 12), 4,
                                   std::string("\xFF\x3F\0\0\xFF\x3F\0\0", 8));
  ASSERT_FALSE(huge.empty());
  const std::string refusal = open_refusal(huge);
  EXPECT_NE(refusal.find("too large: "), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("16383x16383"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("IMGFLO_VIDEO_MAX_FRAME_PIXELS"), std::string::npos) << refusal;
}

TEST(VideoHeaderLimits, Mp4SampleEntryDeclaringAHugeFrameIsTooLarge) {
  const std::string mp4 = small_mp4();
  ASSERT_FALSE(mp4.empty());
  EXPECT_EQ(open_refusal(mp4), "ok");
  // The avc1 sample entry's width and height (28 bytes after its type, in the stsd box).
  const size_t stsd = mp4.find("stsd");
  ASSERT_NE(stsd, std::string::npos);
  const std::string huge = patched(mp4, "avc1", 28, "\xFF\xFF\xFF\xFF", stsd);
  ASSERT_FALSE(huge.empty());
  const std::string refusal = open_refusal(huge);
  EXPECT_NE(refusal.find("too large: "), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("65535x65535"), std::string::npos) << refusal;
}

// The sample entry says 16 x 16, the H.264 frames are 64 x 48: over a 1024-pixel limit,
// refused once the stream is probed or when the frame is decoded, never converted.
TEST(VideoHeaderLimits, AFrameLargerThanTheHeaderSaidIsRefused) {
  const std::string mp4 = small_mp4();
  ASSERT_FALSE(mp4.empty());
  const std::string small_header = patched(mp4, "avc1", 28, std::string("\0\x10\0\x10", 4), mp4.find("stsd"));
  ASSERT_FALSE(small_header.empty());
  VideoLimits limits;
  limits.max_frame_pixels = 1024;
  auto decoder = VideoDecoder::open(small_header, sniff_video(small_header), limits);
  Status refused = ok_status();
  if (!decoder.ok()) {
    refused = decoder.take_error();
  } else {
    auto frame = (*decoder)->next(nullptr);
    if (!frame.ok()) refused = frame.take_error();
  }
  ASSERT_FALSE(refused.ok());
  // libavformat's probe reads the 64 x 48 from the stream (kTooLarge, naming the setting);
  // without it, libavcodec's max_pixels refuses the frame (kUndecodable).
  if (refused.error().kind() == ErrorKind::kTooLarge) {
    EXPECT_NE(refused.error().message().find("64x48"), std::string::npos) << refused.error().message();
  } else {
    EXPECT_EQ(refused.error().kind(), ErrorKind::kUndecodable) << refused.error().message();
  }
}

TEST(VideoHeaderLimits, TheLimitIsTheSettingAndLengthIsLeftToTheCaller) {
  const std::string mp4 = small_mp4();
  ASSERT_FALSE(mp4.empty());
  VideoLimits limits;
  limits.max_frame_pixels = 64 * 48 - 1;
  EXPECT_NE(open_refusal(mp4, limits).find("IMGFLO_VIDEO_MAX_FRAME_PIXELS"), std::string::npos);
  limits.max_frame_pixels = 64 * 48;
  // Its 3 frames are over a 2-frame limit: the pipeline checks that (a poster frame needs
  // only one), and decoding counts the frames.
  limits.max_frames = 2;
  auto decoder = VideoDecoder::open(mp4, sniff_video(mp4), limits);
  ASSERT_TRUE(decoder.ok()) << decoder.error().message();
  EXPECT_EQ((*decoder)->info().frames, 3);
  Status counted = ok_status();
  for (int i = 0; i < 4 && counted.ok(); ++i) {
    auto frame = (*decoder)->next(nullptr);
    if (!frame.ok()) counted = frame.take_error();
  }
  ASSERT_FALSE(counted.ok());
  EXPECT_NE(counted.error().message().find("IMGFLO_VIDEO_MAX_FRAMES"), std::string::npos);
}

// Audio an mp4 result carries: AAC, MP3, MP2 (Opus, FLAC or AC-3 could fail only when the
// index is written, after every frame; the fuzz target found an Opus stream that did).
TEST(VideoAudio, OnlyAacMp3AndMp2AreCarried) {
  struct Case {
    const char* audio;
    const char* video;
    const char* file;
    bool carried;
  };
  const auto dir = test::scratch_dir("video-audio");
  for (const Case& c : {Case{"aac", "mpeg4", "aac.mp4", true}, Case{"mp2", "mpeg4", "mp2.mkv", true},
                        Case{"libopus", "libvpx", "opus.webm", false}, Case{"flac", "mpeg4", "flac.mkv", false}}) {
    const std::string path = (dir / c.file).string();
    const auto made = test::run_command(
        "ffmpeg -v error -y -f lavfi -i testsrc=s=32x24:r=10:d=0.3 -f lavfi -i sine=d=0.3:sample_rate=48000 -c:v " +
        std::string(c.video) + " -c:a " + c.audio + " -shortest " + test::shell_quote(path) + " 2>&1");
    ASSERT_EQ(made.status, 0) << c.file << ": " << made.out;
    const std::string bytes = test::read_file(path);
    auto decoder = VideoDecoder::open(bytes, sniff_video(bytes), VideoLimits{});
    ASSERT_TRUE(decoder.ok()) << c.file << ": " << decoder.error().message();
    EXPECT_EQ((*decoder)->info().has_audio, c.carried) << c.file;
    EXPECT_EQ((*decoder)->audio_stream() != nullptr, c.carried) << c.file;
  }
}

TEST(VideoParamsParse, TakesTheFourParameters) {
  request::Params params = {{"video_bitrate", "500"}, {"x", "1"}, {"video_framerate", "12.5"}, {"time", "1.5"}};
  auto p = take_video_params(params);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->bitrate_kbps, 500);
  EXPECT_EQ(p->framerate, 12.5);
  EXPECT_EQ(p->time, 1.5);
  EXPECT_TRUE(p->poster());
  EXPECT_EQ(params, (request::Params{{"x", "1"}}));
  request::Params none;
  EXPECT_EQ(take_video_params(none)->bitrate_kbps, kDefaultBitrateKbps);
}

TEST(VideoParamsParse, RefusesValuesOutOfRange) {
  for (const request::Params& bad :
       {request::Params{{"video_bitrate", "99"}}, request::Params{{"video_bitrate", "150.5"}},
        request::Params{{"video_framerate", "0"}}, request::Params{{"video_framerate", "nan"}},
        request::Params{{"frame", "-1"}}, request::Params{{"frame", "1.5"}}, request::Params{{"time", "x"}},
        request::Params{{"frame", "1"}, {"time", "1"}}}) {
    request::Params params = bad;
    auto p = take_video_params(params);
    ASSERT_FALSE(p.ok()) << bad.front().first << "=" << bad.front().second;
    EXPECT_EQ(p.error().kind(), ErrorKind::kInvalidArgument);
  }
}

}  // namespace
}  // namespace imgflo::runtime::video
