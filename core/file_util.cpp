#include "core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace rn50::core {
namespace {

namespace fs = std::filesystem;

std::string kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a folder";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

void fsync_folder(const fs::path& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // nothing to make durable if the folder cannot be opened
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

int open_regular_file(const fs::path& path) {
  const std::string shown = path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(shown + ": cannot open: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Error(shown + ": " + kind_of(st.st_mode) + ", not read");
  // O_NONBLOCK: should the path have become a FIFO since the stat, open() must not wait for a
  // writer; the fstat below then refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(shown + ": cannot open: " + std::strerror(errno));
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(shown + ": not a regular file, not read");
  }
  return fd;
}

std::string read_file(const fs::path& path, uint64_t max_bytes) {
  const int fd = open_regular_file(path);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    if (out.size() > max_bytes) {
      ::close(fd);
      throw Error(path.string() + ": larger than " +
                  (max_bytes % (uint64_t(1) << 20) == 0 ? std::to_string(max_bytes >> 20) + " MiB"
                                                        : std::to_string(max_bytes) + " bytes") +
                  ", not read");
    }
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw Error(path.string() + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error("cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw Error("cannot write " + tmp.string() + ": " + std::strerror(err));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot rename " + tmp.string() + " into " + path.string() + ": " + ec.message());
  }
  fsync_folder(path.parent_path());
}

void replace_file(const fs::path& tmp, const fs::path& target) {
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Error("cannot make " + tmp.string() + " durable: " + std::strerror(err));
  }
  ::close(fd);
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot move " + tmp.string() + " into place at " + target.string() + ": " +
                ec.message());
  }
  fsync_folder(target.parent_path());
}

}  // namespace rn50::core
