// Progress of a running run, read from the rank-0 native log as it grows, and its display:
// a redrawn status line on a terminal (stderr only, not under CI or TERM=dumb, at most ~10
// redraws a second), plain periodic lines otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace rn50::runner {

class ProgressTracker {
 public:
  explicit ProgressTracker(std::filesystem::path log) : log_(std::move(log)) {}
  // Reads the records appended since the last call (complete lines only).
  void poll();

  int64_t epoch = -1, epochs = 0;   // 0-based current epoch, planned epochs
  int64_t step = 0, steps = 0;      // within the epoch
  double images_per_s = 0;          // latest interval
  std::optional<double> last_top1;  // percent
  std::optional<double> eta_s;      // from the observed step rate; unknown before two samples
  bool seen_any = false;

 private:
  void consume(const std::string& line);
  std::filesystem::path log_;
  uintmax_t offset_ = 0;
  std::string partial_;
  std::optional<double> first_time_;
  int64_t first_done_ = 0;
};

class ProgressView {
 public:
  explicit ProgressView(std::ostream& out);
  // Status of run i of n; redraws on a terminal, prints a line every 30 s or per epoch otherwise.
  void update(const std::string& tag, size_t i, size_t n, const ProgressTracker& t);
  // A permanent line (clears the status line first on a terminal).
  void line(const std::string& text);
  // Removes the status line, if any.
  void finish_line();
  bool terminal() const { return tty_; }

 private:
  std::ostream& out_;
  bool tty_ = false;
  bool drawn_ = false;
  double last_draw_ = 0;
  int64_t last_epoch_ = -2;
};

}  // namespace rn50::runner
