// The libav* headers (C, wrapped for C++) and owning pointers for their
// objects: the only place the video code includes FFmpeg's headers from.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace imgflo::runtime::video {

struct CodecContextFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsFree {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};

using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;

// Sends libav*'s log lines to spdlog at debug level (errors included: on
// hostile input they are expected, and the public error says what matters)
// instead of stderr. Idempotent, thread-safe; called by the decoder and encoder.
void route_libav_logs();

// FFmpeg's text for an AVERROR code (for logs only: never in a public message).
std::string av_error_text(int code);

// An AVIOContext over bytes in memory, with its own buffer: reading and
// seeking in a fixed view (`writable` false), or writing, seeking and reading
// a growing string (the muxer's output; its reads serve mp4's faststart pass).
class MemoryIo {
 public:
  // Reads from `bytes` (which must outlive this object).
  static std::unique_ptr<MemoryIo> reader(std::string_view bytes);
  // Writes into an owned string of at most `max_bytes` (a write past it fails).
  static std::unique_ptr<MemoryIo> writer(uint64_t max_bytes);
  ~MemoryIo();
  MemoryIo(const MemoryIo&) = delete;
  MemoryIo& operator=(const MemoryIo&) = delete;

  AVIOContext* context() const { return ctx_; }
  bool over_limit() const { return over_limit_; }
  // The written bytes (writer); the context must not be used afterwards.
  std::string take() { return std::move(data_); }
  // A new reading context over the bytes written so far (shares them);
  // freed by close_reader().
  AVIOContext* open_reader();
  static void close_reader(AVIOContext* ctx);

 private:
  MemoryIo() = default;
  static int read(void* opaque, uint8_t* buf, int size);
  static int write(void* opaque, uint8_t* buf, int size);  // FFmpeg 5 passes a non-const buffer
  static int64_t seek(void* opaque, int64_t offset, int whence);
  bool allocate(bool writable);

  std::string_view view_;  // reader: the input; writer: unused
  std::string data_;       // writer's bytes
  int64_t pos_ = 0;
  uint64_t max_bytes_ = 0;
  bool writable_ = false;
  bool over_limit_ = false;
  const MemoryIo* source_ = nullptr;  // a reader opened over a writer's bytes
  AVIOContext* ctx_ = nullptr;
};

}  // namespace imgflo::runtime::video
