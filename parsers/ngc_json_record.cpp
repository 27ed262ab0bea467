#include "parsers/ngc_json_record.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace rn50::parsers::ngc {

namespace {

constexpr int kMaxDepth = 64;

class Cursor {
 public:
  Cursor(std::string_view text, std::string& store, DlllRecord& rec)
      : s_(text), store_(store), rec_(rec) {}

  bool fail(const char* what) {
    if (error_.empty()) error_ = std::string(what) + " at byte " + std::to_string(pos_);
    return false;
  }
  const std::string& error() const { return error_; }

  void ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n'))
      ++pos_;
  }
  bool at_end() {
    ws();
    return pos_ == s_.size();
  }
  bool eat(char c) {
    ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  char peek() {
    ws();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }

  // A string at the cursor; its unescaped content as a view into `store_` (or into the input
  // when there is nothing to unescape).
  bool string(std::string_view& out) {
    if (!eat('"')) return fail("expected a string");
    const size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\\') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '"') {
      out = s_.substr(start, pos_ - start);
      ++pos_;
      return true;
    }
    // Slow path: escapes. `store_` was reserved to the input size, so it never reallocates and
    // earlier views stay valid.
    const size_t out_start = store_.size();
    store_.append(s_.substr(start, pos_ - start));
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') {
        out = std::string_view(store_).substr(out_start);
        return true;
      }
      if (c != '\\') {
        store_ += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
          store_ += '"';
          break;
        case '\\':
          store_ += '\\';
          break;
        case '/':
          store_ += '/';
          break;
        case 'b':
          store_ += '\b';
          break;
        case 'f':
          store_ += '\f';
          break;
        case 'n':
          store_ += '\n';
          break;
        case 'r':
          store_ += '\r';
          break;
        case 't':
          store_ += '\t';
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(cp)) return fail("bad \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = 0;
            if (pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
              pos_ += 2;
              if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return fail("bad surrogate pair");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              cp = 0xFFFD;  // lone surrogate: replacement character keeps the text valid UTF-8
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          utf8(cp);
          break;
        }
        default:
          return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }

  bool value(JsonScalar& v, int depth) {
    const char c = peek();
    const size_t start = pos_;
    switch (c) {
      case '"':
        v.kind = JsonScalar::Kind::kString;
        return string(v.text);
      case '{':
      case '[':
        if (!skip_nested(depth)) return false;
        v.kind = JsonScalar::Kind::kNested;
        v.text = s_.substr(start, pos_ - start);
        return true;
      case 't':
        return word("true", v, JsonScalar::Kind::kBool, true);
      case 'f':
        return word("false", v, JsonScalar::Kind::kBool, false);
      case 'n':
        return word("null", v, JsonScalar::Kind::kNull, false);
      case 'N':
        return special("NaN", std::numeric_limits<double>::quiet_NaN(), v);
      case 'I':
        return special("Infinity", std::numeric_limits<double>::infinity(), v);
      default:
        if (c == '-' && s_.substr(pos_, 9) == "-Infinity")
          return special("-Infinity", -std::numeric_limits<double>::infinity(), v);
        if (c == '-' || (c >= '0' && c <= '9')) return number(v);
        return fail("unexpected character");
    }
  }

  // The keys the record handler asks for; other values are skipped.
  template <class OnMember>
  bool object(int depth, OnMember&& on_member) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    if (!eat('{')) return fail("expected '{'");
    if (eat('}')) return true;
    for (;;) {
      std::string_view key;
      if (!string(key)) return false;
      if (!eat(':')) return fail("expected ':'");
      if (!on_member(key)) return false;
      if (eat(',')) continue;
      if (eat('}')) return true;
      return fail("expected ',' or '}'");
    }
  }

  template <class OnItem>
  bool array(int depth, OnItem&& on_item) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    if (!eat('[')) return fail("expected '['");
    if (eat(']')) return true;
    for (;;) {
      if (!on_item()) return false;
      if (eat(',')) continue;
      if (eat(']')) return true;
      return fail("expected ',' or ']'");
    }
  }

  bool skip_nested(int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    JsonScalar ignored;
    if (peek() == '{')
      return object(depth + 1, [&](std::string_view) { return value(ignored, depth + 1); });
    return array(depth + 1, [&] { return value(ignored, depth + 1); });
  }

 private:
  bool hex4(uint32_t& out) {
    if (pos_ + 4 > s_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      out <<= 4;
      if (h >= '0' && h <= '9')
        out |= h - '0';
      else if (h >= 'a' && h <= 'f')
        out |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        out |= h - 'A' + 10;
      else
        return false;
    }
    return true;
  }

  void utf8(uint32_t cp) {
    if (cp < 0x80) {
      store_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      store_ += static_cast<char>(0xC0 | (cp >> 6));
      store_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      store_ += static_cast<char>(0xE0 | (cp >> 12));
      store_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      store_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      store_ += static_cast<char>(0xF0 | (cp >> 18));
      store_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      store_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      store_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool word(std::string_view w, JsonScalar& v, JsonScalar::Kind kind, bool b) {
    if (s_.substr(pos_, w.size()) != w) return fail("bad literal");
    v.kind = kind;
    v.boolean = b;
    v.text = s_.substr(pos_, w.size());
    pos_ += w.size();
    return true;
  }

  bool special(std::string_view w, double d, JsonScalar& v) {
    if (s_.substr(pos_, w.size()) != w) return fail("bad literal");
    v.kind = JsonScalar::Kind::kNumber;
    v.number = d;
    v.integral = false;
    v.text = s_.substr(pos_, w.size());
    pos_ += w.size();
    ++rec_.non_json_numbers;
    return true;
  }

  bool number(JsonScalar& v) {
    // JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    const size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ > d;
    };
    if (!digits()) return fail("bad number");
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (!digits()) return fail("bad number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return fail("bad number");
    }
    v.kind = JsonScalar::Kind::kNumber;
    v.text = s_.substr(start, pos_ - start);
    v.integral = integral;
    auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), v.number);
    if (ec == std::errc::result_out_of_range) {
      v.number = v.text.front() == '-' ? -HUGE_VAL : HUGE_VAL;
    } else if (ec != std::errc() || p != v.text.data() + v.text.size()) {
      return fail("bad number");
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string& store_;
  DlllRecord& rec_;
  std::string error_;
};

}  // namespace

bool DlllRecordReader::read(std::string_view text, DlllRecord& out, std::string& error) {
  out.timestamp.reset();
  out.datetime.reset();
  out.type.reset();
  out.has_step = out.step_is_array = out.has_data = out.data_is_object = false;
  out.step_items.clear();
  out.data.clear();
  out.non_json_numbers = 0;
  unescaped_.clear();
  unescaped_.reserve(text.size());

  Cursor c(text, unescaped_, out);
  const bool ok = c.object(0, [&](std::string_view key) -> bool {
    if (key == "data") {
      out.has_data = true;
      if (c.peek() != '{') {
        JsonScalar ignored;
        return c.value(ignored, 1);
      }
      out.data_is_object = true;
      return c.object(1, [&](std::string_view k) {
        out.data.emplace_back(k, JsonScalar{});
        return c.value(out.data.back().second, 2);
      });
    }
    if (key == "step") {
      out.has_step = true;
      if (c.peek() != '[') return c.value(out.step_scalar, 1);
      out.step_is_array = true;
      return c.array(1, [&] {
        out.step_items.emplace_back();
        return c.value(out.step_items.back(), 2);
      });
    }
    JsonScalar v;
    if (!c.value(v, 1)) return false;
    if (key == "timestamp")
      out.timestamp = v;
    else if (key == "datetime")
      out.datetime = v;
    else if (key == "type")
      out.type = v;
    return true;
  });
  if (!ok) {
    error = c.error();
    return false;
  }
  if (!c.at_end()) {
    error = "text after the record";
    return false;
  }
  return true;
}

}  // namespace rn50::parsers::ngc
