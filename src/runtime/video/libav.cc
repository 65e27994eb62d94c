#include "runtime/video/libav.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <mutex>

namespace imgflo::runtime::video {

namespace {
constexpr int kIoBufferBytes = 64 * 1024;

void log_line(void* avcl, int level, const char* format, va_list args) {
  if (level > AV_LOG_WARNING || !spdlog::should_log(spdlog::level::debug)) return;
  char line[1024] = {};
  int prefix = 1;
  av_log_format_line2(avcl, level, format, args, line, sizeof(line), &prefix);
  std::string_view text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  spdlog::debug("libav: {}", text);
}
}  // namespace

void route_libav_logs() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(log_line); });
}

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

std::unique_ptr<MemoryIo> MemoryIo::reader(std::string_view bytes) {
  std::unique_ptr<MemoryIo> io(new MemoryIo());
  io->view_ = bytes;
  if (!io->allocate(false)) return nullptr;
  return io;
}

std::unique_ptr<MemoryIo> MemoryIo::writer(uint64_t max_bytes) {
  std::unique_ptr<MemoryIo> io(new MemoryIo());
  io->max_bytes_ = max_bytes;
  if (!io->allocate(true)) return nullptr;
  return io;
}

bool MemoryIo::allocate(bool writable) {
  writable_ = writable;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
  if (buffer == nullptr) return false;
  ctx_ = avio_alloc_context(buffer, kIoBufferBytes, writable ? 1 : 0, this, writable ? nullptr : &MemoryIo::read,
                            writable ? &MemoryIo::write : nullptr, &MemoryIo::seek);
  if (ctx_ == nullptr) av_free(buffer);
  return ctx_ != nullptr;
}

MemoryIo::~MemoryIo() {
  if (ctx_ != nullptr) {
    av_freep(&ctx_->buffer);
    avio_context_free(&ctx_);
  }
}

AVIOContext* MemoryIo::open_reader() {
  auto io = reader(data_);
  if (!io) return nullptr;
  io->source_ = this;
  AVIOContext* ctx = io->ctx_;
  io.release();  // owned through ctx->opaque until close_reader
  return ctx;
}

void MemoryIo::close_reader(AVIOContext* ctx) {
  if (ctx != nullptr) delete static_cast<MemoryIo*>(ctx->opaque);
}

int MemoryIo::read(void* opaque, uint8_t* buf, int size) {
  auto* io = static_cast<MemoryIo*>(opaque);
  // A reader over a writer's bytes sees them as they are now (faststart
  // reads back what was flushed before it).
  const std::string_view data = io->source_ != nullptr ? std::string_view(io->source_->data_) : io->view_;
  if (io->pos_ >= static_cast<int64_t>(data.size())) return AVERROR_EOF;
  const auto n = static_cast<int>(std::min<int64_t>(size, static_cast<int64_t>(data.size()) - io->pos_));
  std::memcpy(buf, data.data() + io->pos_, static_cast<size_t>(n));
  io->pos_ += n;
  return n;
}

int MemoryIo::write(void* opaque, uint8_t* buf, int size) {
  auto* io = static_cast<MemoryIo*>(opaque);
  const uint64_t end = static_cast<uint64_t>(io->pos_) + static_cast<uint64_t>(size);
  if (end > io->max_bytes_) {
    io->over_limit_ = true;
    return AVERROR(ENOSPC);
  }
  if (end > io->data_.size()) io->data_.resize(end);
  std::memcpy(io->data_.data() + io->pos_, buf, static_cast<size_t>(size));
  io->pos_ = static_cast<int64_t>(end);
  return size;
}

int64_t MemoryIo::seek(void* opaque, int64_t offset, int whence) {
  auto* io = static_cast<MemoryIo*>(opaque);
  const auto size = static_cast<int64_t>(io->source_ != nullptr ? io->source_->data_.size()
                                         : io->writable_        ? io->data_.size()
                                                                : io->view_.size());
  int64_t target = 0;
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return size;
    case SEEK_SET:
      target = offset;
      break;
    case SEEK_CUR:
      target = io->pos_ + offset;
      break;
    case SEEK_END:
      target = size + offset;
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (target < 0 || (!io->writable_ && target > size)) return AVERROR(EINVAL);
  io->pos_ = target;
  return target;
}

}  // namespace imgflo::runtime::video
