// Text users type on the command line (experiment names, tags, key=value options) that is stored
// or matched against the store: checked at the boundary, so that every name in the database is
// valid UTF-8 without control characters (a Python sqlite3 reader fails on anything else).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace rn50::core {

// True when `s` is valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Valid UTF-8 unchanged; otherwise every byte that is not part of valid UTF-8 read as latin-1, the
// reading MLPerf's checker uses for logs (file names from old tools are latin-1 too).
std::string as_utf8_text(std::string_view s);

// Throws core::UsageError "<what>: ..." for invalid UTF-8 (naming the byte offset) or a control
// character (a NUL, a newline).
void require_clean_text(std::string_view value, const std::string& what);

// "key=value" of option `flag` (`--tag`, `--set`): a non-empty key, both parts clean text.
std::pair<std::string, std::string> parse_key_value(const std::string& flag,
                                                    const std::string& text);

}  // namespace rn50::core
