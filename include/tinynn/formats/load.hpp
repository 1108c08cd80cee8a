// tinynn — loading a model file: from a path (memory-mapped where the OS allows, else read), from
// memory (zero-copy when the caller keeps the bytes alive), with the format found by content:
// a FlatBuffer with the "TFL3" identifier is TFLite, anything else is tried as an ONNX ModelProto.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#if __has_include(<sys/mman.h>) && __has_include(<fcntl.h>) && __has_include(<unistd.h>)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define TINYNN_HAS_MMAP 1
#else
#define TINYNN_HAS_MMAP 0
#endif

#include "tinynn/formats/onnx.hpp"
#include "tinynn/formats/tflite.hpp"
#include "tinynn/graph/model.hpp"

namespace tinynn {

enum class ModelFormat : std::uint8_t { onnx, tflite };

/// The format of a model by its content.
[[nodiscard]] inline ModelFormat detect_format(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.size() >= 8 && bytes[4] == 'T' && bytes[5] == 'F' && bytes[6] == 'L' && bytes[7] == '3') {
    return ModelFormat::tflite;
  }
  return ModelFormat::onnx;
}

struct LoadOptions {
  bool memory_map = true;  // map the file instead of reading it (weights then stay in the page cache)
  std::size_t max_file_bytes = std::size_t{1} << 34;
};

namespace detail {

/// The bytes of a model file, owned (read) or mapped.
class FileBytes {
 public:
  FileBytes() = default;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes() {
#if TINYNN_HAS_MMAP
    if (mapped_) ::munmap(mapped_, size_);
#endif
  }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
    return mapped_ ? std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(mapped_), size_)
                   : std::span<const std::uint8_t>(owned_);
  }

  static Result<std::shared_ptr<FileBytes>> open(const std::string& path, const LoadOptions& options) {
    auto file = std::make_shared<FileBytes>();
#if TINYNN_HAS_MMAP
    if (options.memory_map) {
      const int fd = ::open(path.c_str(), O_RDONLY);
      if (fd < 0) return error(ErrorCode::io_error, path, ": cannot open file");
      struct stat info {};
      if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return error(ErrorCode::io_error, path, ": not a regular file");
      }
      const auto size = static_cast<std::size_t>(info.st_size);
      if (size > options.max_file_bytes) {
        ::close(fd);
        return error(ErrorCode::out_of_memory, path, ": file of ", size, " bytes exceeds the limit");
      }
      if (size > 0) {
        void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapped != MAP_FAILED) {
          file->mapped_ = mapped;
          file->size_ = size;
          ::close(fd);
          return file;
        }
      }
      ::close(fd);
    }
#endif
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return error(ErrorCode::io_error, path, ": cannot open file");
    std::uint8_t chunk[65536];
    std::size_t got;
    while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) {
      file->owned_.insert(file->owned_.end(), chunk, chunk + got);
      if (file->owned_.size() > options.max_file_bytes) {
        std::fclose(f);
        return error(ErrorCode::out_of_memory, path, ": file exceeds the limit of ", options.max_file_bytes, " bytes");
      }
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) return error(ErrorCode::io_error, path, ": read error");
    return file;
  }

  static std::shared_ptr<FileBytes> copy_of(std::span<const std::uint8_t> bytes) {
    auto file = std::make_shared<FileBytes>();
    file->owned_.assign(bytes.begin(), bytes.end());
    return file;
  }

 private:
  void* mapped_ = nullptr;
  std::size_t size_ = 0;
  std::vector<std::uint8_t> owned_;
};

inline Result<Model> import_bytes(std::span<const std::uint8_t> bytes, std::shared_ptr<const void> keep_alive,
                                  std::string source, std::string directory) {
  if (detect_format(bytes) == ModelFormat::tflite) {
    auto graph = formats::tflite::import(bytes, source, std::move(keep_alive));
    if (!graph) return std::move(graph).error();
    return Model(std::move(*graph));
  }
  formats::onnx::ImportOptions options;
  options.source = std::move(source);
  options.directory = std::move(directory);
  auto graph = formats::onnx::import_model(bytes, std::move(keep_alive), std::move(options));
  if (!graph) return std::move(graph).error();
  return Model(std::move(*graph));
}

}  // namespace detail

/// Loads a model file (ONNX or TFLite, by content). Errors name the file.
[[nodiscard]] inline Result<Model> load(const std::string& path, const LoadOptions& options = {}) {
  auto file = detail::FileBytes::open(path, options);
  if (!file) return std::move(file).error();
  const auto slash = path.find_last_of('/');
  std::string directory = slash == std::string::npos ? std::string(".") : path.substr(0, slash);
  const std::span<const std::uint8_t> bytes = (*file)->bytes();
  return detail::import_bytes(bytes, std::shared_ptr<const void>(*file), path, std::move(directory));
}

/// Loads a model held in memory. With `keep_alive` (an owner of the bytes) weights are not copied;
/// without, the bytes are copied once.
[[nodiscard]] inline Result<Model> load_from_memory(std::span<const std::uint8_t> bytes,
                                                    std::shared_ptr<const void> keep_alive = nullptr,
                                                    std::string name = "<memory>") {
  if (!keep_alive) {
    auto copy = detail::FileBytes::copy_of(bytes);
    bytes = copy->bytes();
    keep_alive = std::move(copy);
  }
  return detail::import_bytes(bytes, std::move(keep_alive), std::move(name), "");
}

}  // namespace tinynn
