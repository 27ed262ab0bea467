// Files: reading only what is a regular file, and writing so that a crash or a power loss never
// leaves a half-written or renamed-but-empty file behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace rn50::core {

// Opens a regular file for reading (O_CLOEXEC). Anything else (a FIFO, a device, a socket, a
// folder) is refused with core::Error naming the path and what it is, without blocking: opening a
// FIFO for reading would wait for a writer forever.
int open_regular_file(const std::filesystem::path& path);

// Whole file as bytes (regular files only); throws core::Error naming the path when it cannot be
// read or holds more than max_bytes (checked while reading: a file that grows is still bounded).
std::string read_file(const std::filesystem::path& path, uint64_t max_bytes = UINT64_MAX);

// The cap for small descriptions read whole (MLPerf systems/*.json, scaling.json, timm args.yaml).
inline constexpr uint64_t kMaxSidecarBytes = uint64_t(1) << 20;

// Durable atomic replacement: writes a temporary file in the same folder, fsyncs it, renames it
// over `path` and fsyncs the folder. Readers see the old content or the new, never a mix, and
// after a power loss the file is one of the two.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// The last two steps of that for a temporary file someone else wrote (a checkpoint archive):
// fsync `tmp`, rename it to `target`, fsync the folder. Removes `tmp` on failure.
void replace_file(const std::filesystem::path& tmp, const std::filesystem::path& target);

}  // namespace rn50::core
