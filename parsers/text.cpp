#include "parsers/text.h"

#include <cstring>

namespace rn50::parsers {

bool LineReader::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const char* begin = text_.data() + pos_;
  const void* nl = std::memchr(begin, '\n', text_.size() - pos_);
  const size_t end =
      nl ? static_cast<size_t>(static_cast<const char*>(nl) - text_.data()) : text_.size();
  line = text_.substr(pos_, end - pos_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos_ = nl ? end + 1 : text_.size();
  ++line_no_;
  return true;
}

std::string_view trim_left(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view trim(std::string_view s) { return trim_right(trim_left(s)); }

std::string_view next_token(std::string_view& s) {
  s = trim_left(s);
  size_t i = 0;
  while (i < s.size() && !is_space(s[i])) ++i;
  const std::string_view tok = s.substr(0, i);
  s.remove_prefix(i);
  return tok;
}

std::string in_quotes(std::string_view s) {
  // Appended, not "'" + s + "'": GCC 12 warns falsely (-Wrestrict) on the concatenation.
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out.append(s);
  out += '\'';
  return out;
}

bool looks_like_text(std::string_view head) {
  if (head.empty()) return false;
  size_t control = 0;
  for (unsigned char c : head) {
    if (c == 0) return false;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) ++control;
  }
  // Terminal escapes and the odd stray byte are fine; a binary has control bytes everywhere.
  return control * 100 <= head.size();
}

namespace {

bool is_control(unsigned char c, TextKind kind) {
  if (c >= 0x20 && c != 0x7F) return false;
  return kind == TextKind::kKey || (c != '\t' && c != '\n');
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Position of the first byte that is not printable ASCII under `kind` (s.size() when none).
size_t plain_prefix(std::string_view s, TextKind kind) {
  size_t i = 0;
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80 || is_control(c, kind)) break;
  }
  return i;
}

void convert(std::string_view s, TextKind kind, bool controls, std::string& out) {
  out.clear();
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (controls && is_control(c, kind))
        out += kReplacement;
      else
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t n = core::utf8_sequence_length(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      core::append_latin1(out, c);
      ++i;
    }
  }
}

}  // namespace

bool is_stored_form(std::string_view s, TextKind kind) {
  size_t i = plain_prefix(s, kind);  // logs are mostly ASCII
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (is_control(c, kind)) return false;
      ++i;
      continue;
    }
    const size_t n = core::utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string stored_text(std::string_view s, TextKind kind) {
  if (is_stored_form(s, kind)) return std::string(s);
  std::string out;
  convert(s, kind, /*controls=*/true, out);
  return out;
}

std::string_view stored_view(std::string_view s, TextKind kind, std::string& scratch) {
  if (is_stored_form(s, kind)) return s;
  convert(s, kind, /*controls=*/true, scratch);
  return scratch;
}

}  // namespace rn50::parsers
