// A validating, non-allocating JSON scanner for one-line log records (MLPerf :::MLLOG).
// It returns raw spans of members instead of building a DOM: a result file is thousands of small
// objects of which only a few fields are read, and bytes >= 0x80 (latin-1 files) pass through
// untouched instead of failing UTF-8 validation as a full JSON library would.
// Accepts Python's json.dumps extensions NaN, Infinity and -Infinity.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rn50::parsers::mlperf_json {

struct Member {
  std::string_view key;    // raw content between the quotes (escapes not decoded)
  std::string_view value;  // raw JSON text of the value
};

// `json` must be exactly one object (surrounding whitespace allowed). On failure returns false and
// sets *why (when given) to a short reason with the byte offset.
bool object_members(std::string_view json, std::vector<Member>& out, std::string* why = nullptr);

// Validates that `json` is exactly one JSON value.
bool is_valid_value(std::string_view json);

bool is_string(std::string_view raw);
// Content of a raw string value without the quotes (escapes not decoded).
std::string_view string_content(std::string_view raw);
// Decodes JSON escapes; the result is UTF-8 (raw bytes >= 0x80 are read as latin-1 unless the
// content is already valid UTF-8).
std::string unescape(std::string_view content);
// A raw JSON number (or NaN/Infinity); nullopt for anything else.
std::optional<double> as_number(std::string_view raw);

// Lookup of top-level members of a raw object; an invalid object behaves as empty.
class Object {
 public:
  explicit Object(std::string_view raw);
  std::optional<std::string_view> raw(std::string_view key) const;
  std::optional<double> number(std::string_view key) const;
  std::optional<std::string> string(std::string_view key) const;

 private:
  std::vector<Member> members_;
};

}  // namespace rn50::parsers::mlperf_json
