#include "parsers/mlperf_json.h"

#include <cctype>
#include <cstdint>
#include <limits>

#include "parsers/text_lines.h"

namespace rn50::parsers::mlperf_json {

namespace {

// Deep nesting is never legitimate in a log record; the limit keeps recursion bounded.
constexpr int kMaxDepth = 64;

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool at_end() const { return i_ >= s_.size(); }
  size_t pos() const { return i_; }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool eat(char c) {
    if (peek() != c || at_end()) return false;
    ++i_;
    return true;
  }

  bool string() {
    if (!eat('"')) return false;
    while (i_ < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c == '\\') {
        if (i_ + 1 >= s_.size()) return false;
        const char e = s_[i_ + 1];
        if (e == 'u') {
          if (i_ + 6 > s_.size()) return false;
          for (size_t k = i_ + 2; k < i_ + 6; ++k)
            if (!std::isxdigit(static_cast<unsigned char>(s_[k]))) return false;
          i_ += 6;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) return false;
        i_ += 2;
        continue;
      }
      if (c < 0x20) return false;
      ++i_;
    }
    return false;
  }

  bool literal(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }

  bool number() {
    const size_t start = i_;
    if (peek() == '-') {
      ++i_;
      if (literal("Infinity")) return true;
    }
    if (peek() == '0') {
      ++i_;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++i_;
    } else {
      i_ = start;
      return false;
    }
    if (peek() == '.') {
      ++i_;
      if (!(peek() >= '0' && peek() <= '9')) return false;
      while (peek() >= '0' && peek() <= '9') ++i_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      if (!(peek() >= '0' && peek() <= '9')) return false;
      while (peek() >= '0' && peek() <= '9') ++i_;
    }
    return true;
  }

  bool value(int depth) {
    if (depth > kMaxDepth) return false;
    ws();
    switch (peek()) {
      case '"':
        return string();
      case '{': {
        ++i_;
        ws();
        if (eat('}')) return true;
        while (true) {
          ws();
          if (!string()) return false;
          ws();
          if (!eat(':')) return false;
          if (!value(depth + 1)) return false;
          ws();
          if (eat('}')) return true;
          if (!eat(',')) return false;
        }
      }
      case '[': {
        ++i_;
        ws();
        if (eat(']')) return true;
        while (true) {
          if (!value(depth + 1)) return false;
          ws();
          if (eat(']')) return true;
          if (!eat(',')) return false;
        }
      }
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      case 'N':
        return literal("NaN");
      case 'I':
        return literal("Infinity");
      default:
        return number();
    }
  }

  std::string_view slice(size_t from, size_t to) const { return s_.substr(from, to - from); }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t hex4(std::string_view s) {
  uint32_t v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= static_cast<uint32_t>(c - 'A' + 10);
  }
  return v;
}

}  // namespace

bool object_members(std::string_view json, std::vector<Member>& out, std::string* why) {
  out.clear();
  Scanner sc(json);
  auto fail = [&](const char* what) {
    if (why) *why = std::string("invalid JSON: ") + what + " at byte " + std::to_string(sc.pos());
    return false;
  };
  sc.ws();
  if (!sc.eat('{')) return fail("expected '{'");
  sc.ws();
  if (!sc.eat('}')) {
    while (true) {
      sc.ws();
      const size_t ks = sc.pos();
      if (!sc.string()) return fail("expected a quoted member name");
      const std::string_view key = sc.slice(ks + 1, sc.pos() - 1);
      sc.ws();
      if (!sc.eat(':')) return fail("expected ':'");
      sc.ws();
      const size_t vs = sc.pos();
      if (!sc.value(1)) return fail("bad value");
      out.push_back(Member{key, sc.slice(vs, sc.pos())});
      sc.ws();
      if (sc.eat('}')) break;
      if (!sc.eat(',')) return fail("expected ',' or '}'");
    }
  }
  sc.ws();
  if (!sc.at_end()) return fail("text after the object");
  return true;
}

bool is_valid_value(std::string_view json) {
  Scanner sc(json);
  if (!sc.value(0)) return false;
  sc.ws();
  return sc.at_end();
}

bool is_string(std::string_view raw) {
  return raw.size() >= 2 && raw.front() == '"' && raw.back() == '"';
}

std::string_view string_content(std::string_view raw) {
  return is_string(raw) ? raw.substr(1, raw.size() - 2) : std::string_view{};
}

std::string unescape(std::string_view content) {
  const std::string text = to_utf8_text(content);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\' || i + 1 >= text.size()) {
      out.push_back(c);
      continue;
    }
    const char e = text[++i];
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u': {
        if (i + 4 >= text.size()) {  // truncated escape
          out.push_back('?');
          break;
        }
        uint32_t cp = hex4(std::string_view(text).substr(i + 1, 4));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < text.size() && text[i + 1] == '\\' &&
            text[i + 2] == 'u') {
          const uint32_t lo = hex4(std::string_view(text).substr(i + 3, 4));
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // lone surrogate
        append_utf8(out, cp);
        break;
      }
      default:
        out.push_back(e);
        break;  // \" \\ \/
    }
  }
  return out;
}

std::optional<double> as_number(std::string_view raw) {
  if (raw == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (raw == "Infinity") return std::numeric_limits<double>::infinity();
  if (raw == "-Infinity") return -std::numeric_limits<double>::infinity();
  return parse_double(raw);
}

Object::Object(std::string_view raw) {
  if (!object_members(raw, members_)) members_.clear();
}

std::optional<std::string_view> Object::raw(std::string_view key) const {
  for (const auto& m : members_)
    if (m.key == key) return m.value;
  return std::nullopt;
}

std::optional<double> Object::number(std::string_view key) const {
  auto r = raw(key);
  if (!r) return std::nullopt;
  return as_number(*r);
}

std::optional<std::string> Object::string(std::string_view key) const {
  auto r = raw(key);
  if (!r || !is_string(*r)) return std::nullopt;
  return unescape(string_content(*r));
}

}  // namespace rn50::parsers::mlperf_json
