#include "parsers/json_scan.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "core/utf8.h"

namespace rn50::parsers::json {

bool Scanner::fail(const char* what) {
  if (error_.empty()) error_ = std::string(what) + " at byte " + std::to_string(pos_);
  return false;
}

bool Scanner::literal(std::string_view word) {
  if (s_.substr(pos_, word.size()) != word) return fail("bad literal");
  pos_ += word.size();
  return true;
}

bool Scanner::string(Value& v) {
  const size_t start = pos_;
  ++pos_;  // the opening quote
  v.kind = Kind::kString;
  v.escaped = false;
  while (pos_ < s_.size()) {
    const auto c = static_cast<unsigned char>(s_[pos_]);
    if (c == '"') {
      ++pos_;
      v.text = s_.substr(start, pos_ - start);
      return true;
    }
    if (c < 0x20) return fail("control character in a string");
    if (c != '\\') {
      ++pos_;
      continue;
    }
    v.escaped = true;
    if (pos_ + 1 >= s_.size()) break;
    const char e = s_[pos_ + 1];
    if (e == 'u') {
      if (pos_ + 6 > s_.size()) return fail("bad \\u escape");
      for (size_t k = pos_ + 2; k < pos_ + 6; ++k) {
        const char h = s_[k];
        if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
          return fail("bad \\u escape");
      }
      pos_ += 6;
      continue;
    }
    if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) return fail("bad escape");
    pos_ += 2;
  }
  return fail("unterminated string");
}

bool Scanner::number(Value& v) {
  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  const size_t start = pos_;
  auto digits = [&] {
    const size_t d = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ - d;
  };
  if (s_[pos_] == '-') ++pos_;
  if (pos_ < s_.size() && s_[pos_] == '0') {
    ++pos_;
  } else if (digits() == 0) {
    return fail("bad number");
  }
  bool integral = true;
  if (pos_ < s_.size() && s_[pos_] == '.') {
    ++pos_;
    integral = false;
    if (digits() == 0) return fail("bad number");
  }
  if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
    ++pos_;
    integral = false;
    if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
    if (digits() == 0) return fail("bad number");
  }
  v.kind = Kind::kNumber;
  v.text = s_.substr(start, pos_ - start);
  v.integral = integral;
  v.non_json = false;
  return true;
}

bool Scanner::read(Value& v) {
  const int depth = depth_;
  const char c = peek();
  const size_t start = pos_;
  v = Value{};
  switch (c) {
    case '"':
      return string(v);
    case '{': {
      auto skip = [&](const Value&) {
        Value ignored;
        return read(ignored);
      };
      if (!object_at(depth, skip)) return false;
      v.kind = Kind::kObject;
      v.text = s_.substr(start, pos_ - start);
      return true;
    }
    case '[': {
      auto skip = [&] {
        Value ignored;
        return read(ignored);
      };
      if (!array_at(depth, skip)) return false;
      v.kind = Kind::kArray;
      v.text = s_.substr(start, pos_ - start);
      return true;
    }
    case 't':
    case 'f':
      if (!literal(c == 't' ? "true" : "false")) return false;
      v.kind = Kind::kBool;
      v.boolean = c == 't';
      v.text = s_.substr(start, pos_ - start);
      return true;
    case 'n':
      if (!literal("null")) return false;
      v.text = s_.substr(start, pos_ - start);
      return true;
    case 'N':
    case 'I':
      if (!literal(c == 'N' ? "NaN" : "Infinity")) return false;
      v.kind = Kind::kNumber;
      v.non_json = true;
      v.text = s_.substr(start, pos_ - start);
      return true;
    default:
      if (c == '-' && s_.substr(pos_, 9) == "-Infinity") {
        pos_ += 9;
        v.kind = Kind::kNumber;
        v.non_json = true;
        v.text = s_.substr(start, pos_ - start);
        return true;
      }
      if (c == '-' || (c >= '0' && c <= '9')) return number(v);
      return fail(c == '\0' ? "unexpected end" : "unexpected character");
  }
}

namespace {

void set_why(std::string* why, const Scanner& sc) {
  if (why) *why = "invalid JSON: " + (sc.error().empty() ? std::string("?") : sc.error());
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

bool object_members(std::string_view text, std::vector<Member>& out, std::string* why) {
  out.clear();
  Scanner sc(text);
  const bool ok = sc.object([&](const Value& key) {
    out.push_back(Member{key, Value{}});
    return sc.value(out.back().value);
  });
  if (!ok) {
    set_why(why, sc);
    return false;
  }
  if (!sc.at_end()) {
    if (why) *why = "invalid JSON: text after the object";
    return false;
  }
  return true;
}

bool array_items(std::string_view text, std::vector<Value>& out, std::string* why) {
  out.clear();
  Scanner sc(text);
  const bool ok = sc.array([&] {
    out.emplace_back();
    return sc.value(out.back());
  });
  if (!ok) {
    set_why(why, sc);
    return false;
  }
  if (!sc.at_end()) {
    if (why) *why = "invalid JSON: text after the array";
    return false;
  }
  return true;
}

bool is_valid(std::string_view text) {
  Scanner sc(text);
  Value v;
  return sc.value(v) && sc.at_end();
}

const Value* find(const std::vector<Member>& members, std::string_view key) {
  std::string arena;
  for (const Member& m : members) {
    if (!m.key.escaped) {
      if (m.key.content() == key) return &m.value;
      continue;
    }
    arena.clear();
    if (decode(m.key, arena) == key) return &m.value;
  }
  return nullptr;
}

std::optional<double> number(const Value& v) {
  if (v.kind != Kind::kNumber) return std::nullopt;
  if (v.non_json) {
    if (v.text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    return v.text.front() == '-' ? -std::numeric_limits<double>::infinity()
                                 : std::numeric_limits<double>::infinity();
  }
  double d = 0;
  const auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
  if (ec == std::errc::result_out_of_range) {
    // Tiny magnitudes read as zero, huge ones as infinity.
    const size_t e = v.text.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && v.text.substr(e + 1).starts_with('-');
    if (tiny) return v.text.front() == '-' ? -0.0 : 0.0;
    return v.text.front() == '-' ? -HUGE_VAL : HUGE_VAL;
  }
  if (ec != std::errc() || p != v.text.data() + v.text.size()) return std::nullopt;
  return d;
}

std::string_view decode(const Value& v, std::string& arena) {
  return decode_content(v.content(), v.escaped, arena);
}

std::string_view decode_content(std::string_view c, bool escaped, std::string& arena) {
  if (!escaped) return c;
  const size_t start = arena.size();
  for (size_t i = 0; i < c.size(); ++i) {
    const char ch = c[i];
    if (ch != '\\' || i + 1 >= c.size()) {
      arena += ch;
      continue;
    }
    const char e = c[++i];
    switch (e) {
      case 'b':
        arena += '\b';
        break;
      case 'f':
        arena += '\f';
        break;
      case 'n':
        arena += '\n';
        break;
      case 'r':
        arena += '\r';
        break;
      case 't':
        arena += '\t';
        break;
      case 'u': {
        if (i + 4 >= c.size()) {  // the scanner never hands out a cut escape
          arena += "\xEF\xBF\xBD";
          i = c.size();
          break;
        }
        uint32_t cp = hex4(c.substr(i + 1, 4));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < c.size() && c[i + 1] == '\\' &&
            c[i + 2] == 'u') {
          const uint32_t lo = hex4(c.substr(i + 3, 4));
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        core::append_utf8(arena, cp);  // a lone surrogate becomes U+FFFD
        break;
      }
      default:  // \" \\ \/
        arena += e;
        break;
    }
  }
  return std::string_view(arena).substr(start);
}

std::string library_message(std::string_view m) {
  if (m.starts_with("[json.exception.")) {
    const size_t close = m.find("] ");
    if (close != std::string_view::npos) m.remove_prefix(close + 2);
  }
  return stored_text(m, TextKind::kValue);
}

std::string stored_string(const Value& v, TextKind kind) {
  return stored_string(v.content(), v.escaped, kind);
}

std::string stored_string(std::string_view content, bool escaped, TextKind kind) {
  std::string arena;
  return stored_text(decode_content(content, escaped, arena), kind);
}

}  // namespace rn50::parsers::json
