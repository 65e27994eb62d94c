#include "runtime/video/video_decoder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "runtime/video/libav.h"

namespace imgflo::runtime::video {

namespace {

// The decoders a video stream may need: the common web and camera codecs.
constexpr std::array<AVCodecID, 8> kVideoDecoders = {AV_CODEC_ID_H264,  AV_CODEC_ID_HEVC,      AV_CODEC_ID_VP8,
                                                     AV_CODEC_ID_VP9,   AV_CODEC_ID_AV1,       AV_CODEC_ID_MPEG4,
                                                     AV_CODEC_ID_MJPEG, AV_CODEC_ID_MPEG2VIDEO};

bool accepted_codec(AVCodecID id) {
  return std::find(kVideoDecoders.begin(), kVideoDecoders.end(), id) != kVideoDecoders.end();
}

Error undecodable(const std::string& what, int code = 0) {
  if (code != 0) spdlog::info("video: {}: {}", what, av_error_text(code));
  return Error(ErrorKind::kUndecodable, "input video " + what);
}

struct FormatClose {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
using FormatPtr = std::unique_ptr<AVFormatContext, FormatClose>;

double ts_seconds(int64_t ts, AVRational tb) { return ts == AV_NOPTS_VALUE ? 0 : static_cast<double>(ts) * av_q2d(tb); }

// The audio codecs copied into an mp4 result: those whose mp4 sample entry
// libavformat writes from the stream's parameters alone. Others it takes
// (Opus and FLAC need well-formed extra data, AC-3 a parsed packet) fail, on
// a hostile input, only when the index is written after every frame was
// encoded, and libavformat 59 then leaks its index size probe: dropped.
constexpr std::array<AVCodecID, 3> kCarriedAudio = {AV_CODEC_ID_AAC, AV_CODEC_ID_MP3, AV_CODEC_ID_MP2};

// Whether an mp4 result carries this audio stream unchanged.
bool mp4_can_carry(const AVCodecParameters& par) {
  return std::find(kCarriedAudio.begin(), kCarriedAudio.end(), par.codec_id) != kCarriedAudio.end() &&
         par.sample_rate > 0 && par.ch_layout.nb_channels > 0;
}

class LibavDecoder final : public VideoDecoder {
 public:
  LibavDecoder(std::unique_ptr<MemoryIo> io, VideoLimits limits) : io_(std::move(io)), limits_(limits) {}
  ~LibavDecoder() override { fmt_.reset(); }  // before io_, which it reads through

  Status open(VideoContainer container) {
    AVFormatContext* raw = avformat_alloc_context();
    if (raw == nullptr) return Error(ErrorKind::kInternal, "out of memory");
    raw->pb = io_->context();
    raw->flags |= AVFMT_FLAG_CUSTOM_IO;
    const AVInputFormat* demuxer = av_find_input_format(demuxer_name(container));
    if (int rc = avformat_open_input(&raw, nullptr, demuxer, nullptr); rc < 0) {
      return undecodable("header is corrupt or truncated", rc);  // raw was freed
    }
    fmt_.reset(raw);
    if (Status st = check_declared_sizes(); !st.ok()) return st;
    if (Status st = find_streams(); !st.ok()) return st;
    return open_decoder(container);
  }

  const VideoInfo& info() const override { return info_; }
  const AVStream* audio_stream() const override { return audio_; }
  void keep_decoded() override { keep_decoded_ = true; }
  void convert_at(int width, int height) override { rgb_size_ = {width, height}; }

  Result<std::optional<DecodedFrame>> next(const AudioSink& audio) override {
    for (;;) {
      const int rc = avcodec_receive_frame(codec_.get(), frame_.get());
      if (rc == 0) return convert();
      if (rc == AVERROR_EOF) return check_complete();
      if (rc != AVERROR(EAGAIN)) return undecodable("could not be decoded", rc);
      if (Status st = feed(audio); !st.ok()) return st.take_error();
    }
  }

 private:
  // One frame of width x height against the frame pixel limit (kTooLarge).
  Status check_frame_size(int width, int height) const {
    VideoInfo size;
    size.width = width;
    size.height = height;
    return check_video_limits(size, 0, 0, limits_);
  }

  // Every video stream's frame size as the container's header declares it
  // (MP4 sample entry, Matroska PixelWidth/PixelHeight, ASF bitmap header),
  // before find_streams decodes any frame to probe the streams.
  Status check_declared_sizes() const {
    for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
      const AVCodecParameters* par = fmt_->streams[i]->codecpar;
      if (par->codec_type != AVMEDIA_TYPE_VIDEO) continue;
      if (Status st = check_frame_size(par->width, par->height); !st.ok()) return st;
    }
    return ok_status();
  }

  // Stream parameters, each stream's decoder probed with the pixel limit.
  Status find_streams() {
    std::vector<AVDictionary*> options(fmt_->nb_streams, nullptr);
    for (auto& o : options) {
      av_dict_set_int(&o, "max_pixels", static_cast<int64_t>(std::min<uint64_t>(limits_.max_frame_pixels, INT32_MAX)),
                      0);
      av_dict_set(&o, "threads", "1", 0);
    }
    const int rc = avformat_find_stream_info(fmt_.get(), options.empty() ? nullptr : options.data());
    for (auto& o : options) av_dict_free(&o);
    if (rc < 0) return undecodable("header is corrupt or truncated", rc);
    return ok_status();
  }

  Status open_decoder(VideoContainer container) {
    const int index = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (index < 0) return undecodable("has no video stream");
    stream_ = fmt_->streams[index];
    const AVCodecParameters* par = stream_->codecpar;
    if (!accepted_codec(par->codec_id))
      return undecodable("codec is not accepted: " + std::string(avcodec_get_name(par->codec_id)));
    fill_info(container);
    if (Status st = check_frame_size(info_.width, info_.height); !st.ok()) return st;
    if (info_.width <= 0 || info_.height <= 0) return undecodable("header gives no frame size");
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    if (codec == nullptr) return undecodable("codec has no decoder");
    codec_.reset(avcodec_alloc_context3(codec));
    frame_.reset(av_frame_alloc());
    packet_.reset(av_packet_alloc());
    if (!codec_ || !frame_ || !packet_) return Error(ErrorKind::kInternal, "out of memory");
    if (int rc = avcodec_parameters_to_context(codec_.get(), par); rc < 0) return undecodable("header is corrupt", rc);
    codec_->max_pixels = static_cast<int64_t>(std::min<uint64_t>(limits_.max_frame_pixels, INT32_MAX));
    codec_->thread_count = 1;
    codec_->pkt_timebase = stream_->time_base;
    if (int rc = avcodec_open2(codec_.get(), codec, nullptr); rc < 0) return undecodable("could not be opened", rc);
    const int audio = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, index, nullptr, 0);
    if (audio >= 0 && mp4_can_carry(*fmt_->streams[audio]->codecpar)) audio_ = fmt_->streams[audio];
    info_.has_audio = audio_ != nullptr;
    return ok_status();
  }

  void fill_info(VideoContainer container) {
    info_.container = container;
    info_.width = stream_->codecpar->width;
    info_.height = stream_->codecpar->height;
    info_.duration_s = stream_->duration != AV_NOPTS_VALUE ? ts_seconds(stream_->duration, stream_->time_base)
                       : fmt_->duration != AV_NOPTS_VALUE  ? static_cast<double>(fmt_->duration) / AV_TIME_BASE
                                                           : 0;
    const AVRational rate = av_guess_frame_rate(fmt_.get(), stream_, nullptr);
    info_.fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0;
    info_.frames = stream_->nb_frames > 0 ? stream_->nb_frames
                   : info_.fps > 0 ? static_cast<int64_t>(std::ceil(std::min(info_.duration_s * info_.fps, 1e15)))
                                   : 0;
    start_ = stream_->start_time != AV_NOPTS_VALUE ? stream_->start_time : 0;
  }

  // Reads one packet: to the decoder, to the audio sink, or the end of input.
  Status feed(const AudioSink& audio) {
    const int rc = av_read_frame(fmt_.get(), packet_.get());
    if (rc == AVERROR_EOF) {
      avcodec_send_packet(codec_.get(), nullptr);  // drain
      return ok_status();
    }
    if (rc < 0) return undecodable("is truncated or corrupt", rc);
    const std::unique_ptr<AVPacket, void (*)(AVPacket*)> unref(packet_.get(), av_packet_unref);
    if ((packet_->flags & AV_PKT_FLAG_CORRUPT) != 0) return undecodable("is truncated or corrupt");
    if (packet_->stream_index == stream_->index) {
      const int sent = avcodec_send_packet(codec_.get(), packet_.get());
      if (sent < 0 && sent != AVERROR(EAGAIN)) return undecodable("could not be decoded", sent);
      return ok_status();
    }
    if (audio_ != nullptr && audio && packet_->stream_index == audio_->index) return audio(packet_.get());
    return ok_status();
  }

  Result<std::optional<DecodedFrame>> convert() {
    const std::unique_ptr<AVFrame, void (*)(AVFrame*)> unref(frame_.get(), av_frame_unref);
    const int64_t ts = frame_->best_effort_timestamp;
    const double time = ts == AV_NOPTS_VALUE ? last_time_ : ts_seconds(ts - start_, stream_->time_base);
    last_time_ = std::max(time, last_time_);
    ++decoded_;
    const uint64_t pixels = static_cast<uint64_t>(frame_->width) * static_cast<uint64_t>(frame_->height);
    if (Status st = check_decoded_frame(decoded_, time, pixels, limits_); !st.ok()) return st.take_error();
    if (keep_decoded_) return handed_over(std::max(time, 0.0));
    const auto [width, height] = rgb_size_.value_or(std::pair{info_.width, info_.height});
    sws_.reset(sws_getCachedContext(sws_.release(), frame_->width, frame_->height,
                                    static_cast<AVPixelFormat>(frame_->format), width, height, AV_PIX_FMT_RGB24,
                                    SWS_BICUBIC, nullptr, nullptr, nullptr));
    if (!sws_) return undecodable("frame format is not supported");
    VipsImage* im = vips_image_new_memory();
    vips_image_init_fields(im, width, height, 3, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE,
                           VIPS_INTERPRETATION_sRGB, 1.0, 1.0);
    vips::VImage rgb(im);  // owns im
    if (vips_image_write_prepare(im) != 0) return Error(ErrorKind::kInternal, "out of memory for a video frame");
    uint8_t* dst[4] = {VIPS_IMAGE_ADDR(im, 0, 0), nullptr, nullptr, nullptr};
    const int dst_stride[4] = {static_cast<int>(VIPS_IMAGE_SIZEOF_LINE(im)), 0, 0, 0};
    sws_scale(sws_.get(), frame_->data, frame_->linesize, 0, frame_->height, dst, dst_stride);
    return std::optional<DecodedFrame>(DecodedFrame{std::move(rgb), nullptr, std::max(time, 0.0)});
  }

  // The decoder's frame itself (its buffers are reference-counted: moved, not copied).
  Result<std::optional<DecodedFrame>> handed_over(double time) {
    std::shared_ptr<AVFrame> out(av_frame_alloc(), [](AVFrame* f) { av_frame_free(&f); });
    if (!out) return Error(ErrorKind::kInternal, "out of memory for a video frame");
    av_frame_move_ref(out.get(), frame_.get());
    return std::optional<DecodedFrame>(DecodedFrame{{}, std::move(out), time});
  }

  // At the end: fewer frames than an MP4's sample table declares is a
  // truncated file (its index was written before the data).
  Result<std::optional<DecodedFrame>> check_complete() {
    if (decoded_ == 0) return undecodable("has no decodable frame");
    if (info_.container == VideoContainer::kMp4 && stream_->nb_frames > 0 && decoded_ < stream_->nb_frames) {
      spdlog::info("video: {} of {} declared frames decoded", decoded_, stream_->nb_frames);
      return undecodable("is truncated");
    }
    return std::optional<DecodedFrame>();
  }

  std::unique_ptr<MemoryIo> io_;
  VideoLimits limits_;
  FormatPtr fmt_;
  AVStream* stream_ = nullptr;
  AVStream* audio_ = nullptr;
  CodecContextPtr codec_;
  FramePtr frame_;
  PacketPtr packet_;
  SwsPtr sws_;
  VideoInfo info_;
  int64_t start_ = 0;
  int64_t decoded_ = 0;
  double last_time_ = 0;
  bool keep_decoded_ = false;
  std::optional<std::pair<int, int>> rgb_size_;  // convert_at's
};

}  // namespace

Result<std::unique_ptr<VideoDecoder>> VideoDecoder::open(std::string_view bytes, VideoContainer container,
                                                         const VideoLimits& limits) {
  route_libav_logs();
  if (container == VideoContainer::kNone) return undecodable("is not MP4, WebM or ASF");
  auto io = MemoryIo::reader(bytes);
  if (!io) return Error(ErrorKind::kInternal, "out of memory");
  auto decoder = std::make_unique<LibavDecoder>(std::move(io), limits);
  if (Status st = decoder->open(container); !st.ok()) return st.take_error();
  return std::unique_ptr<VideoDecoder>(std::move(decoder));
}

}  // namespace imgflo::runtime::video
