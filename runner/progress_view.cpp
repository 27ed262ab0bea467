#include "runner/progress_view.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/terminal.h"

namespace rn50::runner {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

void ProgressTracker::poll() {
  std::ifstream in(log_, std::ios::binary);
  if (!in) return;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<uintmax_t>(in.tellg());
  if (size < offset_) {  // replaced: start over
    offset_ = 0;
    partial_.clear();
  }
  if (size == offset_) return;
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string chunk(size - offset_, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  offset_ = size;
  partial_ += chunk;
  size_t start = 0;
  for (size_t nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n', start)) {
    consume(partial_.substr(start, nl - start));
    start = nl + 1;
  }
  partial_.erase(0, start);
}

void ProgressTracker::consume(const std::string& line) {
  nlohmann::json r;
  try {
    r = nlohmann::json::parse(line);
  } catch (...) {
    return;  // a line being written or foreign output: progress is best effort
  }
  if (!r.is_object()) return;
  const std::string type = r.value("type", "");
  seen_any = true;
  if (type == "header") {
    if (r.contains("config") && r["config"].is_object()) epochs = r["config"].value("epochs", 0);
    steps = r.value("steps_per_epoch", int64_t(0));
  } else if (type == "train_step") {
    epoch = r.value("epoch", int64_t(0));
    step = r.value("step", int64_t(0));
    steps = r.value("steps", steps);
    if (r.contains("metrics") && r["metrics"].is_object())
      images_per_s = r["metrics"].value("train.total_ips", images_per_s);
    const double t = r.value("time", 0.0);
    const int64_t done = epoch * steps + step;
    if (!first_time_) {
      first_time_ = t;
      first_done_ = done;
    } else if (done > first_done_ && t > *first_time_ && epochs > 0 && steps > 0) {
      const double rate = double(done - first_done_) / (t - *first_time_);
      eta_s = double(epochs * steps - done) / rate;
    }
  } else if (type == "eval") {
    if (r.contains("metrics") && r["metrics"].is_object() && r["metrics"].contains("val.top1"))
      last_top1 = r["metrics"].value("val.top1", 0.0);
  }
}

ProgressView::ProgressView(std::ostream& out) : out_(out) {
  tty_ = core::interactive_terminal(STDERR_FILENO);
}

void ProgressView::update(const std::string& tag, size_t i, size_t n, const ProgressTracker& t) {
  const double now = now_s();
  const bool new_epoch = t.epoch != last_epoch_;
  if (tty_ ? now - last_draw_ < 0.1 : (!new_epoch && now - last_draw_ < 30)) return;
  if (!t.seen_any) return;
  char buf[256];
  std::string text = "run " + std::to_string(i) + "/" + std::to_string(n) + " " + tag;
  if (t.epoch >= 0) {
    std::snprintf(buf, sizeof buf, "  epoch %lld/%lld  step %lld/%lld  %.1f img/s",
                  (long long)t.epoch + 1, (long long)t.epochs, (long long)t.step,
                  (long long)t.steps, t.images_per_s);
    text += buf;
  } else {
    text += "  starting";
  }
  if (t.last_top1) {
    std::snprintf(buf, sizeof buf, "  top-1 %.2f %%", *t.last_top1);
    text += buf;
  }
  if (t.eta_s) text += "  ETA " + core::format_duration(*t.eta_s);
  last_draw_ = now;
  last_epoch_ = t.epoch;
  if (tty_) {
    out_ << "\r\033[K" << text << std::flush;
    drawn_ = true;
  } else {
    out_ << text << "\n" << std::flush;
  }
}

void ProgressView::line(const std::string& text) {
  finish_line();
  out_ << text << "\n" << std::flush;
}

void ProgressView::finish_line() {
  if (tty_ && drawn_) out_ << "\r\033[K" << std::flush;
  drawn_ = false;
  last_epoch_ = -2;
}

}  // namespace rn50::runner
