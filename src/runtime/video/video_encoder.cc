#include "runtime/video/video_encoder.h"

#include <spdlog/spdlog.h>

#include "runtime/video/libav.h"

namespace imgflo::runtime::video {

namespace {

Error failed(const std::string& what, int code) {
  spdlog::warn("video encoder: {}: {}", what, av_error_text(code));
  return Error(ErrorKind::kInternal, "encoding the video failed");
}

struct FormatFree {
  void operator()(AVFormatContext* f) const { avformat_free_context(f); }
};

// The mov muxer re-opens its output to read it back for +faststart: served
// from the bytes in memory.
int open_for_faststart(AVFormatContext* s, AVIOContext** pb, const char* /*url*/, int flags,
                       AVDictionary** /*options*/) {
  auto* out = static_cast<MemoryIo*>(s->opaque);
  if ((flags & AVIO_FLAG_WRITE) != 0 || out == nullptr) return AVERROR(EPERM);
  *pb = out->open_reader();
  return *pb != nullptr ? 0 : AVERROR(ENOMEM);
}

int close_faststart_reader(AVFormatContext* /*s*/, AVIOContext* pb) {
  MemoryIo::close_reader(pb);
  return 0;
}

class LibavMp4Encoder final : public Mp4Encoder {
 public:
  explicit LibavMp4Encoder(const EncoderSettings& s) : settings_(s) {
    settings_.width &= ~1;
    settings_.height &= ~1;
  }
  ~LibavMp4Encoder() override {
    codec_.reset();
    mux_.reset();  // before out_, its output
  }

  Status open(const AVStream* audio) {
    if (settings_.width < 2 || settings_.height < 2) {
      return Error(ErrorKind::kInvalidArgument, "video frames must be at least 2x2 pixels");
    }
    out_ = MemoryIo::writer(settings_.max_output_bytes);
    frame_.reset(av_frame_alloc());
    packet_.reset(av_packet_alloc());
    if (!out_ || !frame_ || !packet_) return Error(ErrorKind::kInternal, "out of memory");
    AVFormatContext* raw = nullptr;
    if (int rc = avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr); rc < 0) return failed("mp4 muxer", rc);
    mux_.reset(raw);
    mux_->pb = out_->context();
    mux_->flags |= AVFMT_FLAG_CUSTOM_IO;
    mux_->opaque = out_.get();
    mux_->io_open = open_for_faststart;
    mux_->io_close2 = close_faststart_reader;
    if (Status st = open_video(); !st.ok()) return st;
    if (audio != nullptr) {
      if (Status st = add_audio(audio); !st.ok()) return st;
    }
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    const int rc = avformat_write_header(mux_.get(), &opts);
    av_dict_free(&opts);
    if (rc < 0) return write_failure("mp4 header", rc);
    return ok_status();
  }

  Status write_frame(const vips::VImage& rgb) override {
    if (rgb.width() < settings_.width || rgb.height() < settings_.height || rgb.bands() != 3) {
      return Error(ErrorKind::kProcessingFailed, "video frames of different sizes");
    }
    if (int rc = av_frame_make_writable(frame_.get()); rc < 0) return failed("frame buffer", rc);
    VipsImage* im = rgb.get_image();
    const uint8_t* src[4] = {VIPS_IMAGE_ADDR(im, 0, 0), nullptr, nullptr, nullptr};
    const int src_stride[4] = {static_cast<int>(VIPS_IMAGE_SIZEOF_LINE(im)), 0, 0, 0};
    sws_scale(sws_.get(), src, src_stride, 0, settings_.height, frame_->data, frame_->linesize);
    return encode_next();
  }

  Status write_decoded(const AVFrame& in) override {
    scaler_.reset(sws_getCachedContext(scaler_.release(), in.width, in.height, static_cast<AVPixelFormat>(in.format),
                                       settings_.width, settings_.height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr,
                                       nullptr, nullptr));
    if (!scaler_) return Error(ErrorKind::kProcessingFailed, "a video frame's pixel format is not supported");
    if (int rc = av_frame_make_writable(frame_.get()); rc < 0) return failed("frame buffer", rc);
    sws_scale(scaler_.get(), in.data, in.linesize, 0, in.height, frame_->data, frame_->linesize);
    return encode_next();
  }

  Status write_audio(AVPacket* packet) override {
    if (audio_in_ == nullptr) return ok_status();
    const int64_t start = audio_in_->start_time != AV_NOPTS_VALUE ? audio_in_->start_time : 0;
    if (packet->pts != AV_NOPTS_VALUE) packet->pts -= start;
    if (packet->dts != AV_NOPTS_VALUE) packet->dts -= start;
    if (packet->dts != AV_NOPTS_VALUE && packet->dts < 0) return ok_status();  // before the video starts
    av_packet_rescale_ts(packet, audio_in_->time_base, audio_out_->time_base);
    packet->stream_index = audio_out_->index;
    packet->pos = -1;
    const int rc = av_interleaved_write_frame(mux_.get(), packet);
    if (rc < 0 && !out_->over_limit()) {  // the input's packet (e.g. its timestamps), not our encoder
      spdlog::info("video encoder: audio packet: {}", av_error_text(rc));
      return Error(ErrorKind::kUndecodable, "input video's audio stream could not be copied");
    }
    return rc < 0 ? write_failure("audio packet", rc) : ok_status();
  }

  Result<std::string> finish() override {
    if (Status st = encode(nullptr); !st.ok()) return st.take_error();
    if (int rc = av_write_trailer(mux_.get()); rc < 0) return write_failure("mp4 index", rc);
    codec_.reset();
    mux_.reset();
    return out_->take();
  }

 private:
  Status open_video() {
    const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
    if (x264 == nullptr) return Error(ErrorKind::kInternal, "this server has no H.264 encoder (libx264)");
    codec_.reset(avcodec_alloc_context3(x264));
    if (!codec_) return Error(ErrorKind::kInternal, "out of memory");
    codec_->width = settings_.width;
    codec_->height = settings_.height;
    codec_->pix_fmt = AV_PIX_FMT_YUV420P;
    codec_->framerate = AVRational{settings_.fps_num, settings_.fps_den};
    codec_->time_base = AVRational{settings_.fps_den, settings_.fps_num};
    codec_->bit_rate = settings_.bitrate_bps;
    if ((mux_->oformat->flags & AVFMT_GLOBALHEADER) != 0) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (int rc = avcodec_open2(codec_.get(), x264, nullptr); rc < 0) return failed("libx264", rc);
    video_ = avformat_new_stream(mux_.get(), nullptr);
    if (video_ == nullptr) return Error(ErrorKind::kInternal, "out of memory");
    video_->time_base = codec_->time_base;
    video_->avg_frame_rate = codec_->framerate;
    if (int rc = avcodec_parameters_from_context(video_->codecpar, codec_.get()); rc < 0) return failed("stream", rc);
    frame_->format = AV_PIX_FMT_YUV420P;
    frame_->width = settings_.width;
    frame_->height = settings_.height;
    if (int rc = av_frame_get_buffer(frame_.get(), 0); rc < 0) return failed("frame buffer", rc);
    sws_.reset(sws_getContext(settings_.width, settings_.height, AV_PIX_FMT_RGB24, settings_.width, settings_.height,
                              AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
    if (!sws_) return Error(ErrorKind::kInternal, "no colour conversion to yuv420p");
    return ok_status();
  }

  Status add_audio(const AVStream* in) {
    audio_out_ = avformat_new_stream(mux_.get(), nullptr);
    if (audio_out_ == nullptr) return Error(ErrorKind::kInternal, "out of memory");
    if (int rc = avcodec_parameters_copy(audio_out_->codecpar, in->codecpar); rc < 0) return failed("audio", rc);
    audio_out_->codecpar->codec_tag = 0;
    audio_out_->time_base = in->time_base;
    audio_in_ = in;
    return ok_status();
  }

  // frame_, filled, as the next frame period.
  Status encode_next() {
    frame_->pts = next_pts_++;
    return encode(frame_.get());
  }

  // Sends `frame` (nullptr: flush) and writes the packets that come out.
  Status encode(AVFrame* frame) {
    if (int rc = avcodec_send_frame(codec_.get(), frame); rc < 0) return failed("encode", rc);
    for (;;) {
      const int rc = avcodec_receive_packet(codec_.get(), packet_.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return ok_status();
      if (rc < 0) return failed("encode", rc);
      av_packet_rescale_ts(packet_.get(), codec_->time_base, video_->time_base);
      packet_->stream_index = video_->index;
      const int written = av_interleaved_write_frame(mux_.get(), packet_.get());
      if (written < 0) return write_failure("video packet", written);
    }
  }

  Error write_failure(const std::string& what, int code) {
    if (out_->over_limit()) {
      return Error(ErrorKind::kTooLarge,
                   "the video result is over the limit of " + std::to_string(settings_.max_output_bytes) +
                       " bytes (IMGFLO_VIDEO_MAX_OUTPUT_BYTES)",
                   {{"limit", settings_.max_output_bytes}});
    }
    return failed(what, code);
  }

  EncoderSettings settings_;
  std::unique_ptr<MemoryIo> out_;
  std::unique_ptr<AVFormatContext, FormatFree> mux_;
  CodecContextPtr codec_;
  FramePtr frame_;
  PacketPtr packet_;
  SwsPtr sws_;     // R'G'B' u8 frames of the settings' size to yuv420p
  SwsPtr scaler_;  // decoder's frames to the settings' size in yuv420p
  AVStream* video_ = nullptr;
  AVStream* audio_out_ = nullptr;
  const AVStream* audio_in_ = nullptr;
  int64_t next_pts_ = 0;
};

}  // namespace

Result<std::unique_ptr<Mp4Encoder>> Mp4Encoder::open(const EncoderSettings& settings, const AVStream* audio) {
  route_libav_logs();
  auto encoder = std::make_unique<LibavMp4Encoder>(settings);
  if (Status st = encoder->open(audio); !st.ok()) return st.take_error();
  return std::unique_ptr<Mp4Encoder>(std::move(encoder));
}

}  // namespace imgflo::runtime::video
