#include "core/user_text.h"

#include <cstdio>

#include "core/error.h"

namespace rn50::core {
namespace {

// Length of the valid UTF-8 sequence at s[i], 0 when there is none.
size_t sequence_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c >> 5) == 0x6) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c >> 4) == 0xE) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c >> 3) == 0x1E) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 0x2) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string as_utf8_text(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const size_t n = sequence_length(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i++]);
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

void require_clean_text(std::string_view value, const std::string& what) {
  for (size_t i = 0; i < value.size();) {
    const size_t n = sequence_length(value, i);
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
