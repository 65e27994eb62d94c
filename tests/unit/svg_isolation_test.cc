// SVG is drawn from memory with no base URI: nothing outside the bytes is
// read. Each reference kind (image href/xlink:href to a file or an http URL,
// an external XML entity, XInclude, CSS @import, <use> of another file) is
// tried against a file we watch with inotify and a listening socket; the
// test fails on any open of the file or any connection. The positive control
// shows the watch works: the `vips` CLI loading the same SVG from a file (so
// with a base URI) does open the referenced PNG.
#include "runtime/codec.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

namespace imgflo::runtime {
namespace {

namespace fs = std::filesystem;

// Counts opens of one file (inotify IN_OPEN; events are queued by the kernel
// as the open happens, so reading after the render misses none).
class OpenWatch {
 public:
  explicit OpenWatch(const fs::path& file) : fd_(inotify_init1(IN_NONBLOCK)) {
    if (fd_ < 0 || inotify_add_watch(fd_, file.c_str(), IN_OPEN) < 0) throw std::runtime_error("inotify");
  }
  ~OpenWatch() { ::close(fd_); }
  int opens() const {
    alignas(inotify_event) char buf[4096];
    int n = 0;
    for (ssize_t len; (len = ::read(fd_, buf, sizeof buf)) > 0;) {
      for (char* p = buf; p < buf + len; p += sizeof(inotify_event) + reinterpret_cast<inotify_event*>(p)->len) ++n;
    }
    return n;
  }

 private:
  int fd_;
};

// A loopback listener that accepts and closes every connection, counting them.
class ConnectionCounter {
 public:
  ConnectionCounter() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("listen");
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (int c; (c = ::accept(fd_, nullptr, nullptr)) >= 0;) {
        ++count_;
        ::close(c);
      }
    });
  }
  ~ConnectionCounter() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  int count() const { return count_; }

 private:
  int fd_;
  int port_ = 0;
  std::atomic<int> count_{0};
  std::thread thread_;
};

struct Secrets {
  fs::path dir = test::scratch_dir("svg-isolation");
  fs::path png = dir / "red.png";
  fs::path text = dir / "secret.txt";
  Secrets() {
    (vips::VImage::black(20, 20, vips::VImage::option()->set("bands", 3)) + std::vector<double>{255, 0, 0})
        .cast(VIPS_FORMAT_UCHAR)
        .pngsave(png.c_str());
    test::write_file(text, "top secret");
  }
};

std::string svg_with(const std::string& prolog, const std::string& body) {
  return prolog + "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                  "xmlns:xi=\"http://www.w3.org/2001/XInclude\" width=\"20\" height=\"20\">" +
         body + "</svg>\n";
}

// The red channel's maximum over the drawn image (0 when nothing red was drawn).
double red_drawn(const std::string& svg) {
  auto img = decode(svg, {});
  if (!img.ok()) return 0;  // refusing the document is fine too
  return img->pixels.extract_band(0).max();
}

TEST(SvgIsolation, NothingExternalIsReadOrFetched) {
  const Secrets s;
  ConnectionCounter http;
  const std::string url = "http://127.0.0.1:" + std::to_string(http.port()) + "/red.png";
  const std::string file_url = "file://" + s.png.string();
  const std::vector<std::string> documents = {
      svg_with("", "<image href=\"" + file_url + "\" width=\"20\" height=\"20\"/>"),
      svg_with("", "<image xlink:href=\"" + file_url + "\" width=\"20\" height=\"20\"/>"),
      svg_with("", "<image href=\"" + s.png.string() + "\" width=\"20\" height=\"20\"/>"),
      svg_with("", "<image href=\"red.png\" width=\"20\" height=\"20\"/>"),
      svg_with("", "<image href=\"" + url + "\" width=\"20\" height=\"20\"/>"),
      svg_with("", "<use href=\"" + file_url + "#x\"/>"),
      svg_with("", "<style>@import url(\"" + url + "\"); @import url(\"file://" + s.text.string() + "\");</style>"),
      svg_with("", "<text y=\"10\"><xi:include href=\"file://" + s.text.string() + "\" parse=\"text\"/></text>"),
      svg_with("<!DOCTYPE svg [ <!ENTITY x SYSTEM \"file://" + s.text.string() + "\"> ]>\n",
               "<text y=\"10\">&x;</text>"),
      svg_with("<!DOCTYPE svg [ <!ENTITY x SYSTEM \"" + url + "\"> ]>\n", "<text y=\"10\">&x;</text>"),
  };
  for (const auto& svg : documents) {
    const OpenWatch png_opens(s.png), text_opens(s.text);
    EXPECT_EQ(red_drawn(svg), 0) << svg;
    EXPECT_EQ(png_opens.opens(), 0) << svg;
    EXPECT_EQ(text_opens.opens(), 0) << svg;
  }
  EXPECT_EQ(http.count(), 0);
}

TEST(SvgIsolation, TheWatchSeesALoadWithABaseUri) {
  const Secrets s;
  const fs::path file = s.dir / "with-base.svg";
  test::write_file(file, svg_with("", "<image href=\"red.png\" width=\"20\" height=\"20\"/>"));
  const fs::path out = s.dir / "with-base.png";
  const OpenWatch png_opens(s.png);
  const std::string cmd = "vips copy '" + file.string() + "' '" + out.string() + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_GT(png_opens.opens(), 0);
  EXPECT_EQ(vips::VImage::new_from_file(out.c_str()).extract_band(0).max(), 255);
  // The same document from memory draws nothing of it.
  EXPECT_EQ(red_drawn(test::read_file(file)), 0);
}

TEST(SvgIsolation, DataUrisAreDrawn) {
  // Inline data is part of the document, not an external reference.
  const std::string red_png_base64 = [] {
    const Secrets s;
    const std::string cmd = "base64 -w0 '" + s.png.string() + "' > '" + (s.dir / "b64").string() + "'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("base64");
    return test::read_file(s.dir / "b64");
  }();
  EXPECT_EQ(red_drawn(svg_with("", "<image href=\"data:image/png;base64," + red_png_base64 +
                                       "\" width=\"20\" height=\"20\"/>")),
            255);
}

}  // namespace
}  // namespace imgflo::runtime
