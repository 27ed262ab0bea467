// Text helpers every parser shares: splitting an in-memory head into lines (sniffing), whitespace
// tokens, and the one policy for text that goes into the store. Parsers read hundreds of MB/s, so
// nothing here copies its input unless the text has to change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"

namespace rn50::parsers {

// Iterates the lines of a buffer (sniffers look at the first bytes of a file this way; parsers read
// TextInput). Accepts "\n", "\r\n" and a last line without newline; the returned view never
// contains the line terminator.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // Next line into `line`; false at the end of the buffer.
  bool next(std::string_view& line);
  // 1-based number of the line last returned by next() (0 before the first call).
  int64_t line_number() const { return line_no_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_no_ = 0;
};

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s);
std::string_view trim_left(std::string_view s);
std::string_view trim_right(std::string_view s);

// Removes and returns the next whitespace-separated token from `s` ("" when none is left).
std::string_view next_token(std::string_view& s);

// `s` between single quotes, for messages that quote the log.
std::string in_quotes(std::string_view s);

// Leading bytes look like text (no NUL, few control bytes): used by sniffers to reject binaries.
bool looks_like_text(std::string_view head);

// ---- What stored text is ----------------------------------------------------------------------
// Logs are byte soup (latin-1 MLPerf files, cut multi-byte characters, stray NULs), but the store
// holds UTF-8 that users query from SQLite and Python. Every text a parser stores — keys, values,
// names, event JSON, diagnostics that quote the log — goes through this one policy, so the same
// bytes are stored the same way whichever parser read them:
//  * valid UTF-8 sequences are kept (overlong forms, surrogates and code points past U+10FFFF are
//    not valid);
//  * every other byte is read as latin-1, the way MLPerf's own checker reads result files, so no
//    byte is dropped;
//  * control characters (C0 and DEL) become U+FFFD: in keys every one of them, in values all but
//    tab and newline. A NUL never reaches the store, and a key is always one printable line.
enum class TextKind {
  kKey,    // metric keys, param keys, event keys, run names
  kValue,  // param values, event values, diagnostics
};

// Only the UTF-8 repair (valid sequences kept, other bytes as latin-1), for whole documents that
// a JSON reader parses afterwards and for JSON text kept as JSON; and the validity check.
using core::is_valid_utf8;
using core::to_utf8;

// True when `s` is stored as it is under `kind`.
bool is_stored_form(std::string_view s, TextKind kind);

// `s` as it is stored.
std::string stored_text(std::string_view s, TextKind kind);

// The same without allocating in the common case: `s` itself when it is already in stored form,
// else the converted text in `scratch` (overwritten).
std::string_view stored_view(std::string_view s, TextKind kind, std::string& scratch);

}  // namespace rn50::parsers
