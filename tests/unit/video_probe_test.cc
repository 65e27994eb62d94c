// Video inputs: sniffing the container from the bytes, the limit arithmetic
// checked from the header and while decoding, and the video parameters.
#include "runtime/video/video_probe.h"

#include <gtest/gtest.h>

#include <string>

#include "runtime/video/video_pipeline.h"
#include "support/paths.h"

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
