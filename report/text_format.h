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

// Valid UTF-8 passes unchanged; a byte that is not part of valid UTF-8 is read as latin-1 (the
// parsers' policy), so no character is lost and the result is always valid UTF-8.
std::string to_valid_utf8(std::string_view s);
// For display formats (Markdown, SVG/HTML text): to_valid_utf8, and control characters become a
// space (a newline would break a Markdown table row or an SVG label).
std::string sanitize_text(std::string_view s);

// Markdown table cell: escapes | ` * _ [ ] \ < > & and folds newlines, so a run name can
// neither break the table nor inject HTML.
std::string md_escape(std::string_view s);
// XML text and attribute values.
std::string xml_escape(std::string_view s);
// RFC 4180 field: quoted when it contains a comma, quote, CR or LF, quotes doubled; every other
// character kept as it is (newlines included), so the value reads back exactly.
std::string csv_escape(std::string_view s);
// RFC 8259 JSON string literal including the quotes: quote, backslash and every control
// character escaped (\n, \t, \u0001, ...), everything else kept, so the value reads back exactly.
std::string json_quote(std::string_view s);

// Cuts to at most `max_chars` code points, ending in "..." when cut.
std::string ellipsize(std::string_view s, size_t max_chars);

// out += a; out += b; ... in one call: the renderers build documents of many small pieces, and
// `"x" + s + "y"` temporaries trip GCC 12's false -Wrestrict (PR 105329).
void append(std::string& out, std::initializer_list<std::string_view> pieces);

}  // namespace rn50::report
