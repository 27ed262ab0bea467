#pragma once

#include <string>
#include <string_view>

namespace rn50::core {

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

}  // namespace rn50::core
