// Content types of stored results by extension (core/mime.h, storage::content_type_for_key).
#include "core/mime.h"
#include "storage/storage.h"

#include <gtest/gtest.h>

namespace imgflo {
namespace {

TEST(Mime, EveryOutputTypeHasItsImageType) {
  EXPECT_EQ(content_type_for("jpg"), "image/jpeg");
  EXPECT_EQ(content_type_for("jpeg"), "image/jpeg");
  for (const std::string ext : {"png", "gif", "webp", "avif", "jxl"}) {
    EXPECT_EQ(content_type_for(ext), "image/" + ext);
    EXPECT_EQ(storage::content_type_for_key("0123abcd." + ext), "image/" + ext);
  }
  for (const char* other : {"svg", "JPG", "AVIF", "heic", ""}) {
    EXPECT_EQ(content_type_for(other), "application/octet-stream") << other;
  }
}

}  // namespace
}  // namespace imgflo
