#include "trainer/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/terminal.h"

namespace rn50::trainer {
namespace {

int terminal_width(std::FILE* out) {
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

ProgressDisplay::Mode ProgressDisplay::detect_mode() {
  return core::interactive_terminal(fileno(stderr)) ? Mode::kBar : Mode::kPlain;
}

ProgressDisplay::ProgressDisplay(Mode mode, std::FILE* out)
    : mode_(mode), out_(out), color_(mode == Mode::kBar && !core::no_color()) {}

ProgressDisplay::~ProgressDisplay() { finish(); }

std::string ProgressDisplay::render(const ProgressInfo& p, int width) {
  std::string head = (p.phase == "eval" ? "eval  " : "epoch ") + std::to_string(p.epoch + 1) + "/" +
                     std::to_string(p.epochs) + " ";
  std::string tail = " " + std::to_string(p.step) + "/" + std::to_string(p.steps);
  if (p.phase == "train")
    tail += " loss " + fmt("%.4f", p.loss) + " lr " + fmt("%.4g", p.lr) + " " +
            fmt("%.1f", p.images_per_s) + " img/s";
  tail += " ETA " + core::format_duration(p.eta_s);
  int bar = width - int(head.size() + tail.size()) - 3;
  std::string out = head;
  if (bar >= 10) {
    bar = std::min(bar, 40);
    double frac = p.steps > 0 ? double(p.step) / double(p.steps) : 0;
    int filled = int(std::floor(frac * bar));
    out += "[" + std::string(filled, '#') + std::string(bar - filled, '.') + "]";
  }
  return out + tail;
}

void ProgressDisplay::clear_bar() {
  if (bar_visible_) {
    std::fputs("\r\033[2K", out_);
    bar_visible_ = false;
  }
}

void ProgressDisplay::update(const ProgressInfo& p) {
  if (mode_ == Mode::kQuiet) return;
  auto now = std::chrono::steady_clock::now();
  const bool last = p.step == p.steps;
  if (mode_ == Mode::kPlain) {
    // Plain lines every 30 s: enough to see life in a CI log without flooding it.
    if (now - last_plain_ < std::chrono::seconds(30) && !(last && p.phase == "train")) return;
    last_plain_ = now;
    std::fprintf(out_, "%s\n", render(p, 0).c_str());
    std::fflush(out_);
    return;
  }
  if (now - last_draw_ < std::chrono::milliseconds(100) && !last) return;  // <= 10 redraws/s
  last_draw_ = now;
  std::string text = render(p, terminal_width(out_));
  std::fputs("\r\033[2K", out_);
  if (color_) std::fputs("\033[36m", out_);
  std::fputs(text.c_str(), out_);
  if (color_) std::fputs("\033[0m", out_);
  std::fflush(out_);
  bar_visible_ = true;
}

void ProgressDisplay::line(const std::string& text) {
  if (mode_ == Mode::kQuiet) return;
  clear_bar();
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

void ProgressDisplay::finish() {
  if (bar_visible_) {
    std::fputs("\n", out_);
    std::fflush(out_);
    bar_visible_ = false;
  }
}

}  // namespace rn50::trainer
