// The bytes of one input, read once from front to back, line by line, in bounded memory: a file is
// read in blocks and never held whole, a buffer in memory is read in place. A line longer than the
// limit is skipped and recorded as a diagnostic, so one endless line can neither take the memory
// of the machine nor silently turn a file into an empty run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/diagnostic.h"

namespace rn50::parsers {

struct TextLimits {
  size_t max_line_bytes = size_t(16) << 20;       // longer lines are skipped with a diagnostic
  size_t block_bytes = size_t(1) << 20;           // file reads
  size_t max_document_bytes = size_t(256) << 20;  // rest(): one JSON document at most this big
};

class TextInput {
 public:
  // Reads `bytes` in place; they must outlive the input.
  static TextInput from_memory(std::string_view bytes, const TextLimits& limits = {});
  // Opens a regular file. Anything else (a FIFO, a device, a folder) is refused with core::Error
  // naming the path before anything is read from it: opening a FIFO would block forever.
  static TextInput open_file(const std::filesystem::path& path, const TextLimits& limits = {});

  TextInput(TextInput&&) noexcept;
  TextInput& operator=(TextInput&&) noexcept;
  TextInput(const TextInput&) = delete;
  TextInput& operator=(const TextInput&) = delete;
  ~TextInput();

  // The next line, without its '\n' (a '\r' before it stays: parsers trim). False at the end.
  // The view is valid until the next call.
  bool next_line(std::string_view& line);
  // 1-based number of the line last returned (0 before the first); skipped lines count.
  int64_t line_number() const { return line_no_; }
  // The line last returned is the last of the input: nothing follows it but its own '\n'. A
  // writer that was interrupted leaves its last line cut.
  bool last_line() const { return last_; }

  // Everything not yet read, as one buffer, for formats that are one document (report JSON).
  // core::Error naming the input when that is more than max_document_bytes. The view is valid
  // until the input is destroyed; next_line() returns false afterwards.
  std::string_view rest();

  // Lines skipped for their length, as warnings with their line numbers.
  const core::Diagnostics& diagnostics() const { return diagnostics_; }
  // The path, or "<memory>".
  const std::string& name() const { return name_; }
  // Bytes of the input (the file's size when it was opened).
  uint64_t size() const { return size_; }
  // Bytes consumed so far.
  uint64_t offset() const { return consumed_; }

 private:
  TextInput() = default;
  // File inputs: reads more bytes behind the unread ones; false at the end of the file.
  bool fill();
  void compact();

  std::string name_;
  TextLimits limits_;
  int fd_ = -1;
  bool eof_ = true;
  std::string_view view_;  // memory inputs: all bytes; file inputs: unused
  std::string buf_;        // file inputs: bytes [begin_, end_) are read but not yet returned
  size_t begin_ = 0, end_ = 0;
  uint64_t size_ = 0, consumed_ = 0;
  int64_t line_no_ = 0;
  bool last_ = false;
  bool rest_taken_ = false;
  core::Diagnostics diagnostics_;
};

}  // namespace rn50::parsers
