// Terminal progress for `rn50-exp train`: a one-line bar on stderr when stderr is a terminal
// (not when CI is set or TERM=dumb), at most 10 redraws per second, colour unless NO_COLOR;
// otherwise plain periodic lines that read well in CI logs and files.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "trainer/train_loop.h"

namespace rn50::trainer {

class ProgressDisplay {
 public:
  enum class Mode { kBar, kPlain, kQuiet };
  // Decides from the environment and isatty(stderr).
  static Mode detect_mode();
  explicit ProgressDisplay(Mode mode, std::FILE* out = stderr);
  ~ProgressDisplay();

  void update(const ProgressInfo& p);
  void line(const std::string& text);  // a message above the bar (or a plain line)
  void finish();

  // The bar line without colour codes or cursor control (for tests and plain mode).
  static std::string render(const ProgressInfo& p, int width);

 private:
  void clear_bar();

  Mode mode_;
  std::FILE* out_;
  bool color_ = false, bar_visible_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  std::chrono::steady_clock::time_point last_plain_{};
};

}  // namespace rn50::trainer
