// Locale-free number formatting and escaping for every output format of the report.
// Output must be byte-identical across machines (golden tests), so nothing here reads the locale.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace rn50::report {

// Fixed-point with `decimals` digits; "-0.00" is printed as "0.00". Non-finite values never reach
// a table (analysis filters them), but if one does it prints "n/a" rather than "nan".
std::string fmt_fixed(double v, int decimals);
std::string fmt_int(int64_t v);
// Shortest round-trip representation (JSON numbers).
std::string fmt_shortest(double v);

// Replaces bytes that are not valid UTF-8 by '?' and control characters (except none) by a space:
// logs are latin-1 sometimes, and an invalid byte makes the whole SVG/JSON unreadable.
std::string sanitize_text(std::string_view s);

// Markdown table cell: escapes | ` * _ [ ] \ < > & and folds newlines, so a run name can
// neither break the table nor inject HTML.
std::string md_escape(std::string_view s);
// XML text and attribute values.
std::string xml_escape(std::string_view s);
// RFC 4180 field: quoted when it contains a comma, quote, CR or LF.
std::string csv_escape(std::string_view s);
// JSON string literal including the quotes.
std::string json_quote(std::string_view s);

// Cuts to at most `max_chars` code points, ending in "..." when cut.
std::string ellipsize(std::string_view s, size_t max_chars);

// out += a; out += b; ... in one call: the renderers build documents of many small pieces, and
// `"x" + s + "y"` temporaries trip GCC 12's false -Wrestrict (PR 105329).
void append(std::string& out, std::initializer_list<std::string_view> pieces);

}  // namespace rn50::report
