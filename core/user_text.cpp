#include "core/user_text.h"

#include <cstdio>

#include "core/error.h"
#include "core/utf8.h"

namespace rn50::core {

void require_clean_text(std::string_view value, const std::string& what) {
  for (size_t i = 0; i < value.size();) {
    const size_t n = utf8_sequence_length(value, i);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(value[i]));
    if (n == 0)
      throw UsageError(what + ": not valid UTF-8 (byte " + byte + " at offset " +
                       std::to_string(i) + ")");
    if (n == 1 && (static_cast<unsigned char>(value[i]) < 0x20 || value[i] == 0x7F))
      throw UsageError(what + ": control character " + byte + " at offset " + std::to_string(i) +
                       " (names and tags are one line of printable text)");
    i += n;
  }
}

std::pair<std::string, std::string> parse_key_value(const std::string& flag,
                                                    const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError(flag + " " + text + ": expected key=value");
  std::pair<std::string, std::string> kv{text.substr(0, eq), text.substr(eq + 1)};
  require_clean_text(kv.first, flag + " key");
  require_clean_text(kv.second, flag + " " + kv.first);
  return kv;
}

}  // namespace rn50::core
