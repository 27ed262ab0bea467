// TensorFlow tf_cnn_benchmarks console output (benchmark_cnn.py,
// docs/formats/tf-cnn-benchmarks.md):
//   Model:       resnet50                 (header block of print_info, ended by ==========)
//   Batch size:  384 global
//   192 per device
//   Devices:     ['/gpu:0', '/gpu:1']
//   Step	Img/sec	total_loss
//   1	images/sec: 634.5 +/- 0.0 (jitter = 0.0)	7.861 1597299785
//   total images/sec: 627.01
// TensorFlow's own logging (C++ and absl, stderr under 2>&1) interleaves and is skipped.
#include <cmath>
#include <string>
#include <vector>

#include "parsers/diagnostic_log.h"
#include "parsers/line_parser.h"
#include "parsers/numbers.h"
#include "parsers/parser.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

using core::Severity;
using core::Source;

constexpr std::string_view kName = "tf-cnn-benchmarks";
constexpr std::string_view kVersion = "1";

// print_info's keys, padded to 13 columns ("Model:       resnet50") -> param names.
struct HeaderKey {
  std::string_view label;
  std::string_view param;
};
constexpr HeaderKey kHeader[] = {
    {"TensorFlow:", "tensorflow"},
    {"Model:", "model"},
    {"Dataset:", "dataset"},
    {"Mode:", "mode"},
    {"SingleSess:", "single_session"},
    {"Batch size:", "batch_size"},
    {"Num batches:", "num_batches"},
    {"Num epochs:", "num_epochs"},
    {"Devices:", "devices"},
    {"NUMA bind:", "numa_bind"},
    {"Data format:", "data_format"},
    {"Optimizer:", "optimizer"},
    {"Variables:", "variable_update"},
    {"AllReduce:", "all_reduce"},
    {"Sync:", "sync"},
    {"Horovod on:", "horovod_device"},
    {"Task:", "task"},
};

struct StepLine {
  int64_t step = 0;
  double mean_ips = 0, uncertainty = 0, jitter = 0;
  std::optional<double> loss, top1, top5, time;
};

// "{step}\timages/sec: {mean} +/- {unc} (jitter = {jitter})\t{loss}[\t{top1}\t{top5}][ {unix}]"
bool read_step(std::string_view t, StepLine& s) {
  size_t n = 0;
  while (n < t.size() && is_digit(t[n])) ++n;
  const auto step = parse_int(t.substr(0, n));
  if (!step || *step > kMaxStep) return false;
  s.step = *step;
  t = trim_left(t.substr(n));
  constexpr std::string_view kIps = "images/sec: ";
  if (!t.starts_with(kIps)) return false;
  t.remove_prefix(kIps.size());
  auto token = [&]() -> std::optional<double> { return parse_double(next_token(t)); };
  const auto mean = token();
  if (!mean || next_token(t) != "+/-") return false;
  const auto unc = token();
  if (!unc || next_token(t) != "(jitter" || next_token(t) != "=") return false;
  std::string_view j = next_token(t);
  if (j.empty() || j.back() != ')') return false;
  const auto jitter = parse_double(j.substr(0, j.size() - 1));
  if (!jitter) return false;
  s.mean_ips = *mean;
  s.uncertainty = *unc;
  s.jitter = *jitter;
  std::vector<double> rest;
  for (std::string_view tok = next_token(t); !tok.empty() && rest.size() < 5; tok = next_token(t)) {
    const auto v = parse_double(tok);
    if (!v) return false;
    rest.push_back(*v);
  }
  // Newer builds end the line with the unix time (whole seconds) after a space.
  auto is_time = [](double v) { return v >= 1e8 && v < 1e11 && std::trunc(v) == v; };
  if ((rest.size() == 2 || rest.size() == 4) && is_time(rest.back())) {
    s.time = rest.back();
    rest.pop_back();
  }
  if (rest.size() != 1 && rest.size() != 3) return false;
  s.loss = rest[0];
  if (rest.size() == 3) {
    s.top1 = rest[1];
    s.top5 = rest[2];
  }
  return true;
}

class TfRun {
 public:
  TfRun(core::ParsedFile& out, core::MetricSink& points, DiagnosticLog& diag,
        const core::DeriveOptions& opt)
      : out_(out), points_(points), diag_(diag), opt_(opt) {}

  void line(std::string_view raw, int64_t ln) {
    const std::string_view t = trim(raw);
    if (t.empty()) return;
    if (is_digit(t.front()) && t.find("images/sec: ") != std::string_view::npos)
      return step_line(t, ln);
    if (t.starts_with("total images/sec:")) return total(t, ln);
    if (t.starts_with("Accuracy @ 1 = ")) return accuracy(t, ln);
    if (expect_per_device_) {
      expect_per_device_ = false;
      if (t.ends_with(" per device")) return per_device(t, ln);
    }
    for (const HeaderKey& k : kHeader) {
      if (!t.starts_with(k.label)) continue;
      header(k, trim(t.substr(k.label.size())), ln);
      return;
    }
  }

  void finish() {
    if (!started_) {
      out_.diagnostics.push_back(
          {Severity::kError, 0,
           "no tf_cnn_benchmarks lines ('N\\timages/sec: X +/- Y (jitter = Z)\\tloss', "
           "'total images/sec: X') found"});
      return;
    }
    core::RunRecord& run = out_.runs[0];
    if (global_batch_) run.global_batch.set(*global_batch_, Source::kLog, "Batch size: N global");
    if (per_device_) run.batch_per_device.set(*per_device_, Source::kLog, "N per device");
    if (global_batch_ && per_device_ && *global_batch_ % *per_device_ == 0) {
      const int64_t w = *global_batch_ / *per_device_;
      if (w <= kMaxWorldSize)
        run.world_size.set(w, Source::kInferred,
                           "Batch size: " + std::to_string(*global_batch_) + " global / " +
                               std::to_string(*per_device_) + " per device");
      if (devices_ > 0 && devices_ != w)
        out_.diagnostics.push_back({Severity::kInfo, 0,
                                    std::to_string(devices_) + " local devices of " +
                                        std::to_string(w) + " (several workers)"});
    }
    run.status = totals_.empty() ? core::RunStatus::kIncomplete : core::RunStatus::kFinished;
    if (!totals_.empty()) run.end_time = last_time_;
    core::apply_user_facts(run, opt_);

    auto& d = run.derived;
    const bool training = mode_.empty() || mode_ == "training";
    if (totals_.size() == 1 && training) {
      d.total_ips = totals_[0];
      d.total_ips_definition =
          "tf_cnn_benchmarks 'total images/sec': the tool's own figure, global batch x timed "
          "steps / their seconds after the warm-up steps (all local devices)";
      d.summary_total_ips = totals_[0];
    } else if (totals_.size() > 1) {
      d.total_ips_definition = "NULL: " + std::to_string(totals_.size()) +
                               " 'total images/sec' lines (one per worker process?): none of them "
                               "is the run's";
    } else if (!totals_.empty()) {
      d.total_ips_definition = "NULL: Mode " + mode_ + ", not a training run; 'total images/sec' " +
                               format_double(totals_[0]) + " kept as param";
      run.set_param("log.total_images_per_sec", format_double(totals_[0]));
    }
    core::derive_common(run, opt_);
  }

 private:
  void start() {
    if (started_) return;
    core::RunRecord r;
    r.source_format = std::string(kName);
    out_.runs.push_back(std::move(r));
    started_ = true;
  }

  void header(const HeaderKey& k, std::string_view value, int64_t ln) {
    start();
    core::RunRecord& run = out_.runs[0];
    if (run.find_param(k.param)) return;  // several workers print the header; the first counts
    run.set_param(std::string(k.param), stored_text(value, TextKind::kValue));
    if (k.param == "mode") mode_ = std::string(value);
    if (k.param == "batch_size") {
      // "384 global"; the next line says "192 per device".
      std::string_view v = value;
      const std::string_view n = next_token(v);
      std::string why;
      const auto g = parse_int(n);
      if (g && in_range(*g, 1, kMaxBatch, &why) && trim(v) == "global") {
        global_batch_ = g;
        expect_per_device_ = true;
      } else {
        diag_.warning(ln, "header",
                      "Batch size: '" + std::string(value.substr(0, 40)) + "' is not '<N> global'" +
                          (why.empty() ? "" : " (" + why + ")"));
      }
    }
    if (k.param == "devices") {
      // "['/gpu:0', '/gpu:1']": one quoted name per device.
      int64_t quotes = 0;
      for (char c : value) quotes += c == '\'' || c == '"' ? 1 : 0;
      devices_ = quotes / 2;
    }
  }

  void per_device(std::string_view t, int64_t ln) {
    std::string_view v = t;
    const auto n = parse_double(next_token(v));  // "192" (or "192.0": '/' in old versions)
    std::string why;
    const auto b = n ? to_int64(*n, &why, 1, kMaxBatch) : std::nullopt;
    if (!b) {
      diag_.warning(ln, "header",
                    in_quotes(t.substr(0, 40)) + ": not a batch per device" +
                        (why.empty() ? "" : " (" + why + ")"));
      return;
    }
    per_device_ = b;
    out_.runs[0].set_param("batch_size_per_device", std::to_string(*b));
  }

  void step_line(std::string_view t, int64_t ln) {
    StepLine s;
    if (!read_step(t, s)) {
      diag_.warning(
          ln, "malformed step line",
          "malformed step line (expected 'N\\timages/sec: X +/- Y (jitter = Z)\\tloss'): " +
              std::string(t.substr(0, 160)));
      return;
    }
    start();
    core::RunRecord& run = out_.runs[0];
    if (s.time) {
      if (!run.start_time) run.start_time = s.time;
      last_time_ = s.time;
    }
    auto add = [&](std::string_view key, std::optional<double> v) {
      if (v && std::isfinite(*v)) points_.add(0, key, "iter", std::nullopt, s.step, s.time, *v);
    };
    add("train.mean_ips", s.mean_ips);
    add("train.loss", s.loss);
    // --print_training_accuracy prints fractions.
    add("train.top1", s.top1 ? std::optional<double>(*s.top1 * 100.0) : std::nullopt);
    add("train.top5", s.top5 ? std::optional<double>(*s.top5 * 100.0) : std::nullopt);
  }

  void total(std::string_view t, int64_t ln) {
    const auto v = parse_double(trim(t.substr(17)));
    if (!v || !std::isfinite(*v) || *v < 0) {
      diag_.warning(ln, "malformed total", "malformed " + in_quotes(t.substr(0, 60)));
      return;
    }
    start();
    totals_.push_back(*v);
    points_.add(0, "train.total_ips", "summary", std::nullopt, static_cast<int64_t>(totals_.size()),
                std::nullopt, *v);
  }

  // Evaluation mode: "Accuracy @ 1 = 0.7612 Accuracy @ 5 = 0.9290 [50000 examples]" (fractions).
  void accuracy(std::string_view t, int64_t ln) {
    std::string_view s = t.substr(15);
    const auto top1 = parse_double(next_token(s));
    const bool five = next_token(s) == "Accuracy" && next_token(s) == "@" && next_token(s) == "5" &&
                      next_token(s) == "=";
    const auto top5 = five ? parse_double(next_token(s)) : std::nullopt;
    if (!top1 || !top5 || !std::isfinite(*top1) || !std::isfinite(*top5)) {
      diag_.warning(ln, "malformed accuracy", "malformed " + in_quotes(t.substr(0, 80)));
      return;
    }
    start();
    auto& d = out_.runs[0].derived;
    d.summary_top1 = *top1 * 100.0;
    d.summary_top5 = *top5 * 100.0;
    points_.add(0, "val.top1", "summary", std::nullopt, std::nullopt, std::nullopt, *top1 * 100.0);
    points_.add(0, "val.top5", "summary", std::nullopt, std::nullopt, std::nullopt, *top5 * 100.0);
  }

  core::ParsedFile& out_;
  core::MetricSink& points_;
  DiagnosticLog& diag_;
  const core::DeriveOptions& opt_;
  bool started_ = false;
  bool expect_per_device_ = false;
  std::string mode_;
  std::optional<int64_t> global_batch_, per_device_;
  int64_t devices_ = 0;
  std::vector<double> totals_;
  std::optional<double> last_time_;
};

class TfCnnBenchmarksParser final : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "TensorFlow tf_cnn_benchmarks console output (N\\timages/sec: X +/- Y (jitter = Z), "
           "total images/sec)";
  }

  int sniff(std::string_view head) const override {
    if (head.find("images/sec") == std::string_view::npos &&
        head.find("Batch size:") == std::string_view::npos)
      return 0;
    if (!looks_like_text(head)) return 0;
    LineReader lines(head);
    std::string_view raw;
    bool header = false, model = false;
    while (lines.next(raw) && lines.line_number() < 50000) {
      const std::string_view t = trim(raw);
      StepLine s;
      if (!t.empty() && is_digit(t.front()) && read_step(t, s)) return 95;
      if (t.starts_with("total images/sec: ")) return 85;
      if (t.starts_with("Model:") && t.size() > 6 && t[6] == ' ') model = true;
      if (t.starts_with("Batch size:") && t.ends_with(" global")) header = true;
    }
    return header && model ? 60 : 0;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override {
    parse_lines<TfRun>(kName, kVersion, in, out, points, opt);
  }
};

}  // namespace

std::unique_ptr<Parser> make_tf_cnn_benchmarks_parser() {
  return std::make_unique<TfCnnBenchmarksParser>();
}

}  // namespace rn50::parsers
