#include "parsers/text_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/error.h"
#include "core/file_util.h"

namespace rn50::parsers {
namespace {

// Beyond this many, skipped lines are only counted (said once, at the end of the file).
constexpr size_t kMaxLineDiagnostics = 20;

std::string mib(size_t bytes) {
  return bytes % (size_t(1) << 20) == 0 ? std::to_string(bytes >> 20) + " MiB"
                                        : std::to_string(bytes) + " bytes";
}

}  // namespace

TextInput TextInput::from_memory(std::string_view bytes, const TextLimits& limits) {
  TextInput in;
  in.name_ = "<memory>";
  in.limits_ = limits;
  in.view_ = bytes;
  in.size_ = bytes.size();
  return in;
}

TextInput TextInput::open_file(const std::filesystem::path& path, const TextLimits& limits) {
  const int fd = core::open_regular_file(path);
  struct stat st {};
  ::fstat(fd, &st);
  TextInput in;
  in.name_ = path.string();
  in.limits_ = limits;
  if (in.limits_.block_bytes == 0) in.limits_.block_bytes = 1;
  in.fd_ = fd;
  in.eof_ = false;
  in.size_ = static_cast<uint64_t>(st.st_size);
  return in;
}

TextInput::TextInput(TextInput&& o) noexcept { *this = std::move(o); }

TextInput& TextInput::operator=(TextInput&& o) noexcept {
  if (this == &o) return *this;
  if (fd_ >= 0) ::close(fd_);
  name_ = std::move(o.name_);
  limits_ = o.limits_;
  fd_ = std::exchange(o.fd_, -1);
  eof_ = o.eof_;
  view_ = o.view_;
  buf_ = std::move(o.buf_);
  begin_ = o.begin_;
  end_ = o.end_;
  size_ = o.size_;
  consumed_ = o.consumed_;
  line_no_ = o.line_no_;
  last_ = o.last_;
  rest_taken_ = o.rest_taken_;
  diagnostics_ = std::move(o.diagnostics_);
  return *this;
}

TextInput::~TextInput() {
  if (fd_ >= 0) ::close(fd_);
}

void TextInput::compact() {
  if (begin_ == 0) return;
  std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

bool TextInput::fill() {
  if (eof_ || fd_ < 0) return false;
  if (begin_ > 0 && (begin_ >= buf_.size() / 2 || buf_.size() - end_ < limits_.block_bytes))
    compact();
  if (buf_.size() - end_ < limits_.block_bytes) buf_.resize(end_ + limits_.block_bytes);
  for (;;) {
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) throw core::Error(name_ + ": cannot read: " + std::strerror(errno));
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }
}

bool TextInput::next_line(std::string_view& line) {
  if (rest_taken_) return false;
  auto too_long = [&](int64_t line_no, uint64_t bytes) {
    if (diagnostics_.size() < kMaxLineDiagnostics) {
      diagnostics_.push_back({core::Severity::kWarning, line_no,
                              "line of " + std::to_string(bytes) +
                                  " bytes, longer than the limit of " +
                                  mib(limits_.max_line_bytes) + ": skipped"});
    } else if (diagnostics_.size() == kMaxLineDiagnostics) {
      diagnostics_.push_back({core::Severity::kWarning, line_no,
                              "more lines longer than the limit follow; only counted"});
    }
  };

  if (fd_ < 0) {  // in memory
    for (;;) {
      if (begin_ >= view_.size()) return false;
      const size_t nl = view_.find('\n', begin_);
      const size_t stop = nl == std::string_view::npos ? view_.size() : nl;
      const size_t next = nl == std::string_view::npos ? view_.size() : nl + 1;
      ++line_no_;
      const size_t len = stop - begin_;
      const size_t start = begin_;
      begin_ = next;
      consumed_ = begin_;
      last_ = begin_ >= view_.size();
      if (len > limits_.max_line_bytes) {
        too_long(line_no_, len);
        continue;
      }
      line = view_.substr(start, len);
      return true;
    }
  }

  for (;;) {
    size_t searched = begin_;
    size_t nl = std::string::npos;
    for (;;) {
      const void* hit =
          end_ > searched ? std::memchr(buf_.data() + searched, '\n', end_ - searched) : nullptr;
      if (hit) {
        nl = static_cast<size_t>(static_cast<const char*>(hit) - buf_.data());
        break;
      }
      if (end_ - begin_ > limits_.max_line_bytes) break;  // too long: skip it below
      const size_t have = end_ - begin_;
      if (!fill()) break;
      searched = begin_ + have;  // fill() may have moved the unread bytes to the front
    }
    if (nl == std::string::npos && end_ - begin_ <= limits_.max_line_bytes) {
      // End of file without a final '\n'.
      if (begin_ == end_) return false;
      ++line_no_;
      line = std::string_view(buf_.data() + begin_, end_ - begin_);
      consumed_ += end_ - begin_;
      begin_ = end_;
      last_ = true;
      return true;
    }
    if (nl == std::string::npos) {
      // Longer than the limit: drop what is buffered and keep dropping up to the next '\n'.
      ++line_no_;
      uint64_t skipped = end_ - begin_;
      consumed_ += end_ - begin_;
      begin_ = end_;
      bool found = false;
      while (!found && fill()) {
        const void* hit = std::memchr(buf_.data() + begin_, '\n', end_ - begin_);
        const size_t stop =
            hit ? static_cast<size_t>(static_cast<const char*>(hit) - buf_.data()) : end_;
        skipped += stop - begin_;
        consumed_ += (hit ? stop + 1 : stop) - begin_;
        begin_ = hit ? stop + 1 : stop;
        found = hit != nullptr;
      }
      too_long(line_no_, skipped);
      if (!found) {
        last_ = true;
        return false;
      }
      continue;
    }
    const size_t len = nl - begin_;
    ++line_no_;
    if (len > limits_.max_line_bytes) {
      too_long(line_no_, len);
      consumed_ += len + 1;
      begin_ = nl + 1;
      continue;
    }
    // Is anything left after this line? Looking may read more, which may move the buffer:
    // positions are kept as offsets from begin_ until the view is made.
    if (nl + 1 == end_ && !eof_) fill();
    const size_t line_start = begin_;
    const size_t line_end = line_start + len;
    last_ = line_end + 1 >= end_ && eof_;
    line = std::string_view(buf_.data() + line_start, len);
    consumed_ += len + 1;
    begin_ = line_end + 1;
    return true;
  }
}

std::string_view TextInput::rest() {
  if (rest_taken_) return {};
  rest_taken_ = true;
  last_ = true;
  if (fd_ < 0) {
    const std::string_view out = view_.substr(std::min(begin_, view_.size()));
    if (out.size() > limits_.max_document_bytes)
      throw core::Error(name_ + ": " + std::to_string(out.size()) +
                        " bytes, more than the limit of " + mib(limits_.max_document_bytes) +
                        " for one document");
    begin_ = view_.size();
    consumed_ = begin_;
    return out;
  }
  compact();
  while (!eof_) {
    if (end_ > limits_.max_document_bytes)
      throw core::Error(name_ + ": more than the limit of " + mib(limits_.max_document_bytes) +
                        " for one document");
    fill();
  }
  if (end_ > limits_.max_document_bytes)
    throw core::Error(name_ + ": " + std::to_string(end_) + " bytes, more than the limit of " +
                      mib(limits_.max_document_bytes) + " for one document");
  consumed_ += end_ - begin_;
  return std::string_view(buf_.data() + begin_, end_ - begin_);
}

}  // namespace rn50::parsers
