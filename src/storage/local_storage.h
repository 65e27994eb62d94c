// Storage in a local folder (the embedded default), served by the frontend
// at /cache/KEY. Writes go to a unique temporary file in the same folder
// (".tmp-<instance>-<key>.XXXXXX"), are fsynced and renamed over the key, and
// the folder is fsynced, so readers never see partial files. Several
// instances may share the folder: at start-up only temporaries untouched for
// kStaleTemporary (leftovers of a crash) are removed, never ones in use.
#pragma once

#include "storage/storage.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

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
  // Path of a stored key, or nullopt (invalid key or absent).
  std::optional<std::filesystem::path> path_of(const std::string& key) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  static constexpr std::chrono::hours kStaleTemporary{1};

  LocalStorage(std::filesystem::path dir, std::string instance) : dir_(std::move(dir)), instance_(std::move(instance)) {}
  static void remove_stale_temporaries(const std::filesystem::path& dir);
  void sync_directory() const;
  std::filesystem::path dir_;
  std::string instance_;  // names this instance's temporaries
};

}  // namespace imgflo::storage
