#include "storage/storage.h"

#include "core/mime.h"

#include <cctype>

namespace imgflo::storage {

bool valid_key(std::string_view key) {
  if (key.size() < 40) return false;
  for (size_t i = 0; i < 40; ++i) {
    const char c = key[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  if (key.size() == 40) return true;
  const std::string_view ext = key.substr(41);
  if (key[40] != '.' || ext.empty() || ext.size() > 10) return false;
  for (char c : ext) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string_view content_type_for_key(std::string_view key) {
  const size_t dot = key.rfind('.');
  return content_type_for(dot == std::string_view::npos ? "" : key.substr(dot + 1));
}

}  // namespace imgflo::storage
