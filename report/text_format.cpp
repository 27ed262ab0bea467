#include "report/text_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <span>

namespace rn50::report {

std::string fmt_fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  std::string out(buf, res.ptr);
  if (out[0] == '-' && out.find_first_not_of("-0.") == std::string::npos) out.erase(0, 1);
  return out;
}

std::string fmt_int(int64_t v) { return std::to_string(v); }

std::string fmt_shortest(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
size_t utf8_len(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  if (n == 2 && c < 0xC2) return 0;  // overlong
  return n;
}

}  // namespace

std::string to_valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_len(s, i);
    if (n == 0) {
      const auto c = static_cast<unsigned char>(s[i]);  // latin-1: U+0080..U+00FF
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string sanitize_text(std::string_view s) {
  std::string out = to_valid_utf8(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  return out;
}

namespace {

// One character and what it becomes in an output format.
struct CharReplacement {
  char c;
  std::string_view with;
};

// Markdown renderers pass HTML through, hence the entities.
constexpr CharReplacement kMarkdownCell[] = {
    {'|', "\\|"}, {'`', "\\`"},   {'*', "\\*"},  {'_', "\\_"},  {'[', "\\["},
    {']', "\\]"}, {'\\', "\\\\"}, {'<', "&lt;"}, {'>', "&gt;"}, {'&', "&amp;"}};
constexpr CharReplacement kXmlText[] = {
    {'<', "&lt;"}, {'>', "&gt;"}, {'&', "&amp;"}, {'"', "&quot;"}, {'\'', "&apos;"}};
// RFC 4180 doubles the quote inside a quoted field.
constexpr CharReplacement kCsvQuotedField[] = {{'"', "\"\""}};

// The escapers differ only in what they replace. They all take sanitized text, so that no format
// has to cope with invalid UTF-8 or control characters.
std::string replace_chars(std::string_view clean, std::span<const CharReplacement> replacements) {
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    const auto hit = std::ranges::find(replacements, c, &CharReplacement::c);
    if (hit == replacements.end()) {
      out += c;
    } else {
      out += hit->with;
    }
  }
  return out;
}

}  // namespace

std::string md_escape(std::string_view s) { return replace_chars(sanitize_text(s), kMarkdownCell); }

std::string xml_escape(std::string_view s) { return replace_chars(sanitize_text(s), kXmlText); }

namespace {
// Appending (not "\"" + s + "\"") also keeps GCC 12's false -Wrestrict (PR 105329) quiet.
std::string in_quotes(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}
}  // namespace

std::string csv_escape(std::string_view raw) {
  std::string s = to_valid_utf8(raw);
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  return in_quotes(replace_chars(s, kCsvQuotedField));
}

std::string json_quote(std::string_view raw) {
  const std::string s = to_valid_utf8(raw);
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

void append(std::string& out, std::initializer_list<std::string_view> pieces) {
  for (auto p : pieces) out.append(p);
}

std::string ellipsize(std::string_view s, size_t max_chars) {
  std::string clean = sanitize_text(s);
  size_t chars = 0, i = 0;
  while (i < clean.size()) {
    const size_t n = utf8_len(clean, i);
    if (chars == max_chars) break;
    i += n;
    ++chars;
  }
  if (i >= clean.size()) return clean;
  // Leave room for the three dots.
  size_t keep = 0, kept = 0;
  while (kept + 3 < max_chars && keep < clean.size()) {
    keep += utf8_len(clean, keep);
    ++kept;
  }
  return clean.substr(0, keep) + "...";
}

}  // namespace rn50::report
