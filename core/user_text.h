// Text users type on the command line (experiment names, tags, key=value options) that is stored
// or matched against the store: checked at the boundary, so that every name in the database is
// valid UTF-8 without control characters (a Python sqlite3 reader fails on anything else).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "core/utf8.h"  // is_valid_utf8, to_utf8: the checks below use them

namespace rn50::core {

// Throws core::UsageError "<what>: ..." for invalid UTF-8 (naming the byte offset) or a control
// character (a NUL, a newline).
void require_clean_text(std::string_view value, const std::string& what);

// "key=value" of option `flag` (`--tag`, `--set`): a non-empty key, both parts clean text.
std::pair<std::string, std::string> parse_key_value(const std::string& flag,
                                                    const std::string& text);

}  // namespace rn50::core
