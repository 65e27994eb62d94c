// Storage in a local folder (the embedded default), served by the frontend
// at /cache/KEY. Writes go to a unique temporary file in the same folder,
// are fsynced and renamed over the key, so readers never see partial files;
// leftover temporaries from a crash are removed at start-up.
#pragma once

#include "storage/storage.h"

#include <filesystem>
#include <optional>

namespace imgflo::storage {

class LocalStorage final : public Storage {
 public:
  // Creates `dir` if needed. kInternal when it cannot be created or written.
  static Result<std::unique_ptr<LocalStorage>> open(const std::filesystem::path& dir);

  Result<std::string> put(const std::string& key, std::string_view bytes, std::string_view content_type) override;
  Result<std::string> get(const std::string& key) override;
  std::string location(const std::string& key) const override { return "/cache/" + key; }
  Result<bool> exists(const std::string& key) override { return path_of(key).has_value(); }

  // Keys currently stored (to warm an in-memory index at start-up).
  std::vector<std::string> keys() const;
  // Path of a stored key, or nullopt (invalid key or absent). Used to serve /cache/KEY.
  std::optional<std::filesystem::path> path_of(const std::string& key) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  explicit LocalStorage(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace imgflo::storage
