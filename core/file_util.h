#pragma once

#include <filesystem>
#include <string>

namespace rn50::core {

// Whole file as bytes; throws core::Error naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// Writes through a temporary file in the same folder and renames it into place, so readers
// never see a half-written file.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

}  // namespace rn50::core
