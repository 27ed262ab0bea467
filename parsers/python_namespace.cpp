#include "parsers/python_namespace.h"

#include "core/utf8.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

constexpr int kMaxNesting = 64;

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A Python string literal at s[i] (quote ' or "): its end (one past the closing quote), the
// decoded content in `decoded` when given; npos when it is not closed.
size_t string_literal(std::string_view s, size_t i, std::string* decoded) {
  const char quote = s[i++];
  while (i < s.size()) {
    const char c = s[i];
    if (c == quote) return i + 1;
    if (c != '\\') {
      if (decoded) *decoded += c;
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return std::string_view::npos;
    const char e = s[i + 1];
    i += 2;
    if (!decoded) {
      continue;
    }
    size_t digits = 0;
    switch (e) {
      case 'n':
        *decoded += '\n';
        break;
      case 't':
        *decoded += '\t';
        break;
      case 'r':
        *decoded += '\r';
        break;
      case 'x':
        digits = 2;
        break;
      case 'u':
        digits = 4;
        break;
      case 'U':
        digits = 8;
        break;
      default:  // \\ \' \" and anything repr() does not write
        *decoded += e;
        break;
    }
    if (digits > 0) {
      uint32_t cp = 0;
      size_t k = 0;
      for (; k < digits && i + k < s.size() && hex_digit(s[i + k]) >= 0; ++k)
        cp = (cp << 4) | static_cast<uint32_t>(hex_digit(s[i + k]));
      i += k;
      core::append_utf8(*decoded, k == digits ? cp : 0xFFFD);
    }
  }
  return std::string_view::npos;
}

// The end of a value that starts at s[i]: the first ',' or ')' outside brackets and strings.
size_t value_end(std::string_view s, size_t i) {
  int depth = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\'' || c == '"') {
      i = string_literal(s, i, nullptr);
      if (i == std::string_view::npos) return i;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      if (++depth > kMaxNesting) return std::string_view::npos;
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) return c == ')' ? i : std::string_view::npos;
      --depth;
    } else if (c == ',' && depth == 0) {
      return i;
    }
    ++i;
  }
  return std::string_view::npos;
}

}  // namespace

bool parse_python_namespace(std::string_view text, std::vector<PythonArg>& out) {
  out.clear();
  constexpr std::string_view kOpen = "Namespace(";
  if (!text.starts_with(kOpen)) return false;
  size_t i = kOpen.size();
  auto skip_spaces = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  skip_spaces();
  if (i < text.size() && text[i] == ')') return true;
  while (i < text.size()) {
    skip_spaces();
    const size_t key_start = i;
    if (i >= text.size() || !is_ident_start(text[i])) break;
    while (i < text.size() && is_ident(text[i])) ++i;
    const std::string_view key = text.substr(key_start, i - key_start);
    if (i >= text.size() || text[i] != '=') break;
    ++i;
    const size_t end = value_end(text, i);
    if (end == std::string_view::npos || out.size() >= kMaxPythonArgs) break;
    const std::string_view raw = trim(text.substr(i, end - i));
    PythonArg arg;
    arg.key = stored_text(key, TextKind::kKey);
    if (!raw.empty() && (raw.front() == '\'' || raw.front() == '"') &&
        string_literal(raw, 0, nullptr) == raw.size()) {
      std::string decoded;
      string_literal(raw, 0, &decoded);
      arg.value = stored_text(decoded, TextKind::kValue);
      arg.is_string = true;
    } else {
      arg.value = stored_text(raw, TextKind::kValue);
    }
    out.push_back(std::move(arg));
    i = end;
    if (text[i] == ')') return true;
    ++i;  // ','
  }
  out.clear();
  return false;
}

const PythonArg* find_arg(const std::vector<PythonArg>& args, std::string_view key) {
  for (const PythonArg& a : args)
    if (a.key == key) return &a;
  return nullptr;
}

std::optional<bool> python_bool(const PythonArg* arg) {
  if (!arg || arg->is_string) return std::nullopt;
  if (arg->value == "True") return true;
  if (arg->value == "False") return false;
  return std::nullopt;
}

}  // namespace rn50::parsers
