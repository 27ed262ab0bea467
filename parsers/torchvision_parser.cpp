// torchvision references/classification/train.py console output (MetricLogger,
// docs/formats/torchvision-references.md):
//   Epoch: [0]  [ 10/63]  eta: 0:00:08  lr: 0.1  img/s: 228.45  loss: 6.8825 (7.2916)  acc1: ...
//   Epoch: [0] Total time: 0:00:09
//   Test:   [ 0/16]  eta: ...  loss: ...  acc1: ...  acc5: ...  time: ...  data: ...  max mem: 0
//   Test:  Acc@1 13.200 Acc@5 59.400          (older: " * Acc@1 ..."; EMA: "Test: EMA ...")
//   Training time 0:00:19
// Everything is print(): no timestamps; non-zero ranks are silenced (setup_for_distributed), and
// `torchrun --tee` prefixes each line with "[default<rank>]:".
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "parsers/diagnostic_log.h"
#include "parsers/enflame_report.h"
#include "parsers/line_parser.h"
#include "parsers/namespace_facts.h"
#include "parsers/numbers.h"
#include "parsers/parser.h"
#include "parsers/python_namespace.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

using core::Severity;
using core::Source;

constexpr std::string_view kName = "torchvision-references";
constexpr std::string_view kVersion = "1";

// "[default0]:" / "[rank3]:" from torchrun --tee: removed, the rank kept.
std::string_view strip_rank_prefix(std::string_view line, std::optional<int64_t>& rank) {
  rank.reset();
  if (line.size() < 4 || line.front() != '[') return line;
  const size_t close = line.find("]:");
  if (close == std::string_view::npos || close > 40) return line;
  const std::string_view tag = line.substr(1, close - 1);
  size_t d = tag.size();
  while (d > 0 && is_digit(tag[d - 1])) --d;
  if (d == tag.size() || d == 0) return line;
  for (size_t i = 0; i < d; ++i)
    if (!((tag[i] >= 'a' && tag[i] <= 'z') || (tag[i] >= 'A' && tag[i] <= 'Z') || tag[i] == '_'))
      return line;
  const auto r = parse_int(tag.substr(d));
  if (!r || !in_range(*r, 0, kMaxWorldSize)) return line;
  rank = r;
  return line.substr(close + 2);
}

bool read_uint(std::string_view& s, int64_t& out) {
  size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  const auto v = parse_int(s.substr(0, n));
  if (!v) return false;
  out = *v;
  s.remove_prefix(n);
  return true;
}

// "[ 10/63]" at the start of `s` (after spaces).
bool read_index(std::string_view& s, int64_t& i, int64_t& n) {
  s = trim_left(s);
  if (s.empty() || s.front() != '[') return false;
  s.remove_prefix(1);
  s = trim_left(s);
  if (!read_uint(s, i) || s.empty() || s.front() != '/') return false;
  s.remove_prefix(1);
  if (!read_uint(s, n) || s.empty() || s.front() != ']') return false;
  s.remove_prefix(1);
  return i >= 0 && n > 0 && i <= kMaxStep && n <= kMaxStep;
}

struct Meter {
  std::string_view name;
  std::optional<double> value, average;  // "median (global_avg)" or a single value
};

// MetricLogger meters: "name: value[ (avg)]" joined by its delimiter (two spaces in train.py, a
// tab by default). Names may hold a space ("max mem") or a slash ("img/s").
bool read_meters(std::string_view s, std::vector<Meter>& out) {
  out.clear();
  while (true) {
    s = trim_left(s);
    if (s.empty()) return !out.empty();
    // The meter ends at the delimiter: a tab or two spaces.
    size_t end = 0;
    while (end < s.size() && s[end] != '\t' &&
           !(s[end] == ' ' && end + 1 < s.size() && s[end + 1] == ' '))
      ++end;
    const std::string_view token = s.substr(0, end);
    s.remove_prefix(end);
    const size_t colon = token.find(": ");
    if (colon == std::string_view::npos || colon == 0) return false;
    Meter m;
    m.name = token.substr(0, colon);
    std::string_view rest = trim(token.substr(colon + 2));
    const size_t paren = rest.find(" (");
    const std::string_view first = trim(rest.substr(0, paren));
    if (m.name != "eta") {
      m.value = parse_double(first);
      if (!m.value) return false;
      if (paren != std::string_view::npos) {
        std::string_view avg = rest.substr(paren + 2);
        if (avg.empty() || avg.back() != ')') return false;
        m.average = parse_double(trim(avg.substr(0, avg.size() - 1)));
        if (!m.average) return false;
      }
    }
    out.push_back(m);
  }
}

const Meter* meter(const std::vector<Meter>& ms, std::string_view name) {
  for (const Meter& m : ms)
    if (m.name == name) return &m;
  return nullptr;
}

// "Acc@1 13.200 Acc@5 59.400".
bool read_accuracy(std::string_view s, std::optional<double>& top1, std::optional<double>& top5) {
  std::string_view name = next_token(s);
  while (!name.empty()) {
    const auto v = parse_double(next_token(s));
    if (!v || !std::isfinite(*v)) return false;
    if (name == "Acc@1") top1 = v;
    if (name == "Acc@5") top5 = v;
    name = next_token(s);
  }
  return top1.has_value();
}

enum class Kind { kTrain, kTrainTotal, kTest, kTestTotal, kResult, kTrainingTime, kOther };

struct Line {
  Kind kind = Kind::kOther;
  bool ema = false;
  int64_t epoch = 0, index = 0, total = 0;
  std::string_view rest;  // meters, the time, or the accuracies
};

Line classify(std::string_view t) {
  Line l;
  if (t.starts_with("Epoch: [")) {
    std::string_view s = t.substr(8);
    if (!read_uint(s, l.epoch) || s.empty() || s.front() != ']' || l.epoch > kMaxEpochs) return l;
    s.remove_prefix(1);
    if (s.starts_with(" Total time: ")) {
      l.kind = Kind::kTrainTotal;
      l.rest = trim(s.substr(13));
      return l;
    }
    if (!read_index(s, l.index, l.total)) return l;
    l.kind = Kind::kTrain;
    l.rest = s;
    return l;
  }
  if (t.starts_with("Test:")) {
    std::string_view s = trim_left(t.substr(5));
    if (s.starts_with("EMA")) {
      l.ema = true;
      s = trim_left(s.substr(3));
    }
    if (s.starts_with("Total time:")) {
      l.kind = Kind::kTestTotal;
    } else if (s.starts_with("Acc@1 ")) {
      l.kind = Kind::kResult;
      l.rest = s;
    } else if (s.starts_with("[")) {
      if (!read_index(s, l.index, l.total)) return l;
      l.kind = Kind::kTest;
      l.rest = s;
    }
    return l;
  }
  if (t.starts_with("* Acc@1 ")) {  // older versions: " * Acc@1 X Acc@5 Y"
    l.kind = Kind::kResult;
    l.rest = t.substr(2);
    return l;
  }
  if (t.starts_with("Training time ")) {
    l.kind = Kind::kTrainingTime;
    l.rest = trim(t.substr(14));
  }
  return l;
}

struct EpochResult {
  std::optional<double> top1, top5, ema_top1, ema_top5;
  std::optional<double> train_loss, lr;
  int64_t iterations = 0;               // N of its train lines
  std::optional<double> train_seconds;  // "Epoch: [e] Total time"
};

class TorchvisionRun {
 public:
  TorchvisionRun(core::ParsedFile& out, core::MetricSink& points, DiagnosticLog& diag,
                 const core::DeriveOptions& opt)
      : out_(out), points_(points), diag_(diag), opt_(opt) {}

  void line(std::string_view raw, int64_t ln) {
    std::optional<int64_t> rank;
    const std::string_view t = trim(strip_rank_prefix(raw, rank));
    if (t.starts_with("| distributed init (rank ")) {
      std::string_view s = t.substr(25);
      int64_t r = 0;
      if (read_uint(s, r) && r < kMaxWorldSize) max_rank_ = std::max(max_rank_, r);
      return;
    }
    if (rank && *rank != 0) return;  // silenced ranks print only warnings and tracebacks
    if (t == "Not using distributed mode") {
      not_distributed_ = true;
      return;
    }
    if (t.starts_with("Namespace(")) return namespace_line(t, ln);
    const Line l = classify(t);
    switch (l.kind) {
      case Kind::kTrain:
        return train(l, t, ln);
      case Kind::kTrainTotal:
        return train_total(l, ln);
      case Kind::kTest:
        return test(l, t, ln);
      case Kind::kResult:
        return result(l, t, ln);
      case Kind::kTrainingTime:
        return training_time(l, ln);
      case Kind::kTestTotal:
      case Kind::kOther:
        if (t.starts_with("Epoch: [") ||
            (t.starts_with("Test:") && t.find('[') != std::string_view::npos))
          diag_.warning(ln, "malformed progress line",
                        "malformed MetricLogger line: " + std::string(t.substr(0, 160)));
        return;
    }
  }

  void finish() {
    if (!started_) {
      out_.diagnostics.push_back(
          {Severity::kError, 0,
           "no torchvision train.py lines ('Epoch: [e]  [i/N]  eta: ...', 'Test:  Acc@1 ...') "
           "found"});
      return;
    }
    core::RunRecord& run = out_.runs[0];
    facts(run);
    int64_t completed = 0;
    for (const auto& [e, r] : epochs_) {
      if (!r.top1 && !r.train_seconds) continue;
      ++completed;
      core::EpochRecord rec;
      rec.epoch = e;
      rec.top1 = r.top1;
      rec.top5 = r.top5;
      rec.train_loss = r.train_loss;
      rec.lr = r.lr;
      run.epochs.push_back(rec);
      const double ep = static_cast<double>(e);
      add("val.top1", "epoch", ep, std::nullopt, r.top1);
      add("val.top5", "epoch", ep, std::nullopt, r.top5);
      add("val_ema.top1", "epoch", ep, std::nullopt, r.ema_top1);
      add("val_ema.top5", "epoch", ep, std::nullopt, r.ema_top5);
      add("train.loss", "epoch", ep, std::nullopt, r.train_loss);
    }
    run.epochs_completed = completed;
    const bool test_only = !any_train_ && any_result_;
    run.status =
        training_time_ || test_only ? core::RunStatus::kFinished : core::RunStatus::kIncomplete;
    core::apply_user_facts(run, opt_);
    throughput(run);
    core::derive_common(run, opt_);
    if (training_time_) run.derived.wall_time_s = training_time_;
  }

 private:
  void start() {
    if (started_) return;
    core::RunRecord r;
    r.source_format = std::string(kName);
    out_.runs.push_back(std::move(r));
    started_ = true;
  }

  void add(std::string_view key, std::string_view level, std::optional<double> epoch,
           std::optional<int64_t> step, std::optional<double> v) {
    if (v && std::isfinite(*v)) points_.add(0, key, level, epoch, step, std::nullopt, *v);
  }

  void train(const Line& l, std::string_view t, int64_t ln) {
    if (!read_meters(l.rest, meters_)) {
      diag_.warning(ln, "malformed progress line",
                    "malformed MetricLogger line: " + std::string(t.substr(0, 160)));
      return;
    }
    start();
    any_train_ = true;
    current_epoch_ = l.epoch;
    EpochResult& r = epochs_[l.epoch];
    r.iterations = std::max(r.iterations, l.total);
    const double ep = static_cast<double>(l.epoch);
    auto value = [&](std::string_view name) -> std::optional<double> {
      const Meter* m = meter(meters_, name);
      return m ? m->value : std::nullopt;
    };
    add("train.loss", "iter", ep, l.index, value("loss"));
    add("train.top1", "iter", ep, l.index, value("acc1"));
    add("train.top5", "iter", ep, l.index, value("acc5"));
    add("train.lr", "iter", ep, l.index, value("lr"));
    add("train.rank_ips", "iter", ep, l.index, value("img/s"));
    add("train.batch_time", "iter", ep, l.index, value("time"));
    add("train.data_time", "iter", ep, l.index, value("data"));
    add("train.max_mem_mb", "iter", ep, l.index, value("max mem"));
    if (const Meter* loss = meter(meters_, "loss"); loss && loss->average)
      r.train_loss = loss->average;  // the epoch's running mean so far
    if (auto lr = value("lr")) r.lr = lr;
  }

  void train_total(const Line& l, int64_t ln) {
    const auto seconds = parse_timedelta(l.rest);
    if (!seconds) {
      diag_.warning(ln, "malformed progress line",
                    "epoch " + std::to_string(l.epoch) + ": Total time '" +
                        std::string(l.rest.substr(0, 40)) + "' is not H:MM:SS");
      return;
    }
    start();
    epochs_[l.epoch].train_seconds = seconds;
  }

  void test(const Line& l, std::string_view t, int64_t ln) {
    if (!read_meters(l.rest, meters_)) {
      diag_.warning(ln, "malformed progress line",
                    "malformed MetricLogger line: " + std::string(t.substr(0, 160)));
      return;
    }
    start();
    const double ep = static_cast<double>(current_epoch_);
    const std::string prefix = l.ema ? "val_ema." : "val.";
    auto value = [&](std::string_view name) -> std::optional<double> {
      const Meter* m = meter(meters_, name);
      return m ? m->value : std::nullopt;
    };
    add(prefix + "loss", "val_iter", ep, l.index, value("loss"));
    add(prefix + "top1", "val_iter", ep, l.index, value("acc1"));
    add(prefix + "top5", "val_iter", ep, l.index, value("acc5"));
    add(prefix + "batch_time", "val_iter", ep, l.index, value("time"));
  }

  void result(const Line& l, std::string_view t, int64_t ln) {
    std::optional<double> top1, top5;
    if (!read_accuracy(l.rest, top1, top5)) {
      diag_.warning(ln, "malformed result line",
                    "malformed evaluation result: " + std::string(t.substr(0, 160)));
      return;
    }
    start();
    any_result_ = true;
    // A resumed run's log may repeat an epoch: the last result of each epoch counts.
    EpochResult& r = epochs_[current_epoch_];
    if (l.ema) {
      r.ema_top1 = top1;
      r.ema_top5 = top5;
    } else {
      r.top1 = top1;
      r.top5 = top5;
    }
  }

  void training_time(const Line& l, int64_t ln) {
    const auto seconds = parse_timedelta(l.rest);
    if (!seconds) {
      diag_.warning(ln, "malformed result line",
                    "Training time '" + std::string(l.rest.substr(0, 40)) + "' is not H:MM:SS");
      return;
    }
    start();
    training_time_ = seconds;
  }

  void namespace_line(std::string_view t, int64_t ln) {
    if (!ns_.empty()) return;
    if (!parse_python_namespace(t, ns_)) {
      diag_.warning(ln, "Namespace", "Namespace(...) line cut or malformed: settings not read");
      return;
    }
    ns_line_ = ln;
    start();
    for (const PythonArg& a : ns_) out_.runs[0].set_param(a.key, a.value);
  }

  NamespaceFacts namespace_facts() const { return {ns_, ns_line_, diag_}; }

  void facts(core::RunRecord& run) {
    const auto distributed = python_bool(find_arg(ns_, "distributed"));
    if (distributed == true) {
      if (auto w = namespace_facts().count("world_size", kMaxWorldSize))
        run.world_size.set(*w, Source::kLog, "Namespace world_size (distributed=True)");
    } else if (distributed == false) {
      run.world_size.set(1, Source::kLog, "Namespace distributed=False");
    } else if (not_distributed_) {
      run.world_size.set(1, Source::kLog, "Not using distributed mode");
    }
    if (max_rank_ >= 0) run.set_param("log.ranks_seen", std::to_string(max_rank_ + 1));
    namespace_facts().set_batch_epochs_precision(run, "Namespace batch_size (per process)");
  }

  // Images of whole epochs over their logged training time: img/s on the lines is one process's
  // last iteration only.
  void throughput(core::RunRecord& run) {
    auto& d = run.derived;
    double iterations = 0, seconds = 0;
    int64_t epochs = 0;
    for (const auto& [e, r] : epochs_) {
      if (r.iterations <= 0 || !r.train_seconds || *r.train_seconds <= 0) continue;
      iterations += static_cast<double>(r.iterations);
      seconds += *r.train_seconds;
      ++epochs;
    }
    if (epochs == 0) return;
    if (!run.batch_per_device.known() || !run.world_size.known()) {
      d.total_ips_definition =
          "NULL: batch size or world size unknown (no Namespace line); pass --set batch_size=N "
          "--set world_size=N";
      return;
    }
    const int64_t b = *run.batch_per_device.value, w = *run.world_size.value;
    d.total_ips = iterations * static_cast<double>(b) * static_cast<double>(w) / seconds;
    d.total_ips_definition =
        "iterations per epoch (N of [i/N]) x batch_size " + std::to_string(b) + " x world_size " +
        std::to_string(w) + " / 'Epoch: [e] Total time' (whole seconds, data loading included), " +
        "summed over " + std::to_string(epochs) + (epochs == 1 ? " epoch" : " epochs") +
        "; a smaller last batch counts whole";
  }

  core::ParsedFile& out_;
  core::MetricSink& points_;
  DiagnosticLog& diag_;
  const core::DeriveOptions& opt_;
  bool started_ = false, any_train_ = false, any_result_ = false, not_distributed_ = false;
  int64_t current_epoch_ = 0;
  int64_t max_rank_ = -1;
  std::vector<Meter> meters_;
  std::vector<PythonArg> ns_;
  int64_t ns_line_ = 0;
  std::map<int64_t, EpochResult> epochs_;
  std::optional<double> training_time_;
};

class TorchvisionParser final : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "torchvision references/classification train.py output (Epoch: [e]  [i/N]  eta: ... "
           "img/s: ...; Test:  Acc@1 ...)";
  }

  int sniff(std::string_view head) const override {
    if (!looks_like_text(head)) return 0;
    if (head.find("Epoch: [") == std::string_view::npos &&
        head.find("Test:") == std::string_view::npos &&
        head.find("Namespace(") == std::string_view::npos)
      return 0;
    LineReader lines(head);
    std::string_view raw;
    int progress = 0, results = 0;
    bool ns = false;
    std::vector<Meter> meters;
    while (lines.next(raw) && lines.line_number() < 20000 && progress < 3) {
      std::optional<int64_t> rank;
      const std::string_view t = trim(strip_rank_prefix(raw, rank));
      const Line l = classify(t);
      if ((l.kind == Kind::kTrain || l.kind == Kind::kTest) && read_meters(l.rest, meters) &&
          meter(meters, "eta"))
        ++progress;
      else if (l.kind == Kind::kResult && t.starts_with("Test:"))
        ++results;
      else if (t.starts_with("Namespace(") && t.find("lr_warmup_method=") != std::string_view::npos)
        ns = true;
    }
    if (progress > 0) return 90;
    if (results > 0) return 70;
    return ns ? 50 : 0;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override {
    parse_lines<TorchvisionRun>(kName, kVersion, in, out, points, opt);
  }
};

}  // namespace

std::unique_ptr<Parser> make_torchvision_parser() { return std::make_unique<TorchvisionParser>(); }

}  // namespace rn50::parsers
