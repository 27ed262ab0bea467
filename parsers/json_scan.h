// The JSON scanner of the parsers (NGC `DLLL {...}` records, MLPerf `:::MLLOG {...}` records,
// any JSON-lines format): it validates JSON text without building a tree and hands out the spans
// of members and items. A log holds millions of small records of which a few fields are read, and
// a general JSON library spends most of its time allocating.
//  * Grammar: RFC 8259, plus the NaN, Infinity and -Infinity that Python's json.dumps writes
//    (Value::non_json tells them apart). Nesting deeper than kMaxDepth is an error, never a deep
//    recursion.
//  * Strings: control characters must be escaped, as JSON requires; bytes >= 0x80 pass through as
//    they are (latin-1 files exist), and the stored-text policy (text.h) decides what they become.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/text.h"

namespace rn50::parsers::json {

inline constexpr int kMaxDepth = 64;

enum class Kind { kNull, kBool, kNumber, kString, kObject, kArray };

struct Value {
  Kind kind = Kind::kNull;
  std::string_view text;  // the value's JSON text (strings with their quotes)
  bool escaped = false;   // kString: the content holds backslash escapes
  bool integral = false;  // kNumber: written without fraction or exponent
  bool non_json = false;  // kNumber: NaN, Infinity or -Infinity
  bool boolean = false;   // kBool

  // kString: the content between the quotes, escapes not decoded.
  std::string_view content() const {
    return text.size() >= 2 ? text.substr(1, text.size() - 2) : std::string_view();
  }
};

struct Member {
  Value key;  // a kString
  Value value;
};

// A cursor over one JSON text. value() reads any value; object() and array() call back for each
// member or item so that a caller reads the parts it needs in the same single pass (the callback
// must consume the member's value, e.g. with value()). Every function returns false on malformed
// input and leaves the reason in error().
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  bool value(Value& v) { return read(v); }

  template <class OnMember>  // bool(const Value& key)
  bool object(OnMember&& on_member) {
    return object_at(depth_, on_member);
  }
  template <class OnItem>  // bool()
  bool array(OnItem&& on_item) {
    return array_at(depth_, on_item);
  }

  // The next non-space character ('\0' at the end).
  char peek() {
    ws();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  // Only whitespace is left.
  bool at_end() {
    ws();
    return pos_ == s_.size();
  }
  const std::string& error() const { return error_; }

 private:
  template <class OnMember>
  bool object_at(int depth, OnMember& on_member) {
    if (depth >= kMaxDepth) return fail("nesting too deep");
    if (!eat('{')) return fail("expected '{'");
    if (eat('}')) return true;
    const int saved = depth_;
    depth_ = depth + 1;
    for (;;) {
      Value key;
      if (peek() != '"' || !string(key)) return restore(saved, fail("expected a quoted name"));
      if (!eat(':')) return restore(saved, fail("expected ':'"));
      if (!on_member(static_cast<const Value&>(key))) return restore(saved, fail("bad value"));
      if (eat(',')) continue;
      if (eat('}')) return restore(saved, true);
      return restore(saved, fail("expected ',' or '}'"));
    }
  }

  template <class OnItem>
  bool array_at(int depth, OnItem& on_item) {
    if (depth >= kMaxDepth) return fail("nesting too deep");
    if (!eat('[')) return fail("expected '['");
    if (eat(']')) return true;
    const int saved = depth_;
    depth_ = depth + 1;
    for (;;) {
      if (!on_item()) return restore(saved, fail("bad value"));
      if (eat(',')) continue;
      if (eat(']')) return restore(saved, true);
      return restore(saved, fail("expected ',' or ']'"));
    }
  }

  bool read(Value& v);
  bool string(Value& v);
  bool number(Value& v);
  bool literal(std::string_view word);
  bool eat(char c) {
    ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool fail(const char* what);
  bool restore(int saved_depth, bool result) {
    depth_ = saved_depth;
    return result;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
};

// `text` is exactly one JSON object (surrounding whitespace allowed); its top-level members in
// order. On failure returns false and sets *why (when given) to the reason with its byte offset.
bool object_members(std::string_view text, std::vector<Member>& out, std::string* why = nullptr);
// `text` is exactly one JSON array; its items.
bool array_items(std::string_view text, std::vector<Value>& out, std::string* why = nullptr);
// `text` is exactly one JSON value.
bool is_valid(std::string_view text);

// The first member named `key` (compared with the decoded name), nullptr when there is none.
const Value* find(const std::vector<Member>& members, std::string_view key);

// kNumber as a double (NaN and infinities included; a number beyond the double range reads as
// +-infinity, the value JSON's grammar allows but no double holds); nullopt for other kinds.
std::optional<double> number(const Value& v);

// The decoded content of a kString: its content itself when nothing needs decoding, else the
// decoded text appended to `arena`. Callers that keep several views reserve `arena` beforehand
// (decoded text is never longer than its JSON) so that earlier views stay valid. Lone surrogates
// decode to U+FFFD.
std::string_view decode(const Value& v, std::string& arena);
// The same for string content held apart from its Value (`escaped`: it holds backslashes).
std::string_view decode_content(std::string_view content, bool escaped, std::string& arena);

// nlohmann::json's exception messages start with "[json.exception.parse_error.101] "; users are
// shown the sentence after it.
std::string library_message(std::string_view what);

// A kString as stored text (decoded, then text.h's policy).
std::string stored_string(const Value& v, TextKind kind);
std::string stored_string(std::string_view content, bool escaped, TextKind kind);

}  // namespace rn50::parsers::json
