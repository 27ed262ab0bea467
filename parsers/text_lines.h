// Allocation-free helpers for reading text logs: line splitting, whitespace tokens and number
// parsing with std::from_chars. Parsers are expected to run at hundreds of MB/s, so nothing here
// copies the input or uses regex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rn50::parsers {

// Iterates the lines of a buffer. Accepts "\n", "\r\n" and a last line without newline; the
// returned view never contains the line terminator.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // Next line into `line`; false at the end of the buffer.
  bool next(std::string_view& line);
  // 1-based number of the line last returned by next() (0 before the first call).
  int64_t line_number() const { return line_no_; }
  // Byte offset of the start of the line last returned.
  size_t line_offset() const { return line_start_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int64_t line_no_ = 0;
};

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s);
std::string_view trim_left(std::string_view s);

// Removes and returns the next whitespace-separated token from `s` ("" when none is left).
std::string_view next_token(std::string_view& s);

// Whole-string conversions: nullopt unless all of `s` is one number (no surrounding spaces).
// Doubles accept exponents ("1.2e+00"), "nan" and "inf" as std::from_chars does.
std::optional<double> parse_double(std::string_view s);
std::optional<int64_t> parse_int(std::string_view s);

// Files written by other tools are byte soup: MLPerf result files are read as latin-1 by the
// official checker. Text that goes into the store must be valid UTF-8, so bytes >= 0x80 are
// mapped as latin-1 code points. Pure ASCII is returned unchanged.
std::string latin1_to_utf8(std::string_view s);

// True when `s` is valid UTF-8 (no overlong forms checked beyond the lead byte ranges).
bool is_valid_utf8(std::string_view s);

// Text safe to store: itself when valid UTF-8, else its latin-1 reading.
std::string to_utf8_text(std::string_view s);

// Leading bytes look like text (no NUL, few control bytes): used by sniffers to reject binaries.
bool looks_like_text(std::string_view head);

}  // namespace rn50::parsers
