// pytorch/examples imagenet/main.py console output, every era since 2017
// (docs/formats/pytorch-examples.md):
//   Epoch: [E][ I/N]  Time v (avg)  Data v (avg)  Loss v (avg)  Acc@1 v (avg)  Acc@5 v (avg)
//   Test: [ I/N]  Time v (avg)  Loss v (avg)  Acc@1 v (avg)  Acc@5 v (avg)
//   " * Acc@1 X Acc@5 Y"  (post-2021: " *   Acc@1 X Acc@5 Y"; 2018: Prec@1/Prec@5)
// The log has no timestamps and no img/s: throughput comes from the per-iteration Time and a global
// batch that is either echoed on a command line, inferred from iterations per epoch, or --set.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parsers/diagnostic_log.h"
#include "parsers/line_parser.h"
#include "parsers/numbers.h"
#include "parsers/parser.h"
#include "parsers/pytorch_examples_grammar.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

using core::Diagnostic;
using core::Severity;
using core::Source;
using pytorch_examples::CommandLine;
using pytorch_examples::ProgressLine;
using pytorch_examples::SummaryLine;

constexpr std::string_view kName = "pytorch-examples";
constexpr std::string_view kVersion = "2";
constexpr int64_t kImagenetTrainImages = 1281167;
// Printed iteration indices below this are warm-up (cuDNN autotuning, loader start-up) in every
// epoch. DLPerf's own script drops indices <= 5; 10 also drops the slow first print-freq step.
constexpr int64_t kDefaultSkipSteps = 10;
// A file with thousands of malformed lines is the wrong format, not thousands of problems.
constexpr int kMaxDiagnosticsPerKind = 20;

// (epoch, printed index) of a progress line; hashed because long logs have millions of them.
using StepKey = std::pair<int64_t, int64_t>;
struct StepKeyHash {
  size_t operator()(const StepKey& k) const {
    return std::hash<uint64_t>()(static_cast<uint64_t>(k.first) * 1000003u +
                                 static_cast<uint64_t>(k.second));
  }
};

// Global batch b such that a full ImageNet epoch has exactly `iters` iterations, when exactly one
// multiple of 8 qualifies (every ResNet batch size in the known logs is one). nullopt otherwise.
std::optional<int64_t> batch_from_iterations(int64_t iters) {
  if (iters <= 0 || iters > kImagenetTrainImages) return std::nullopt;
  // ceil(T/b) == iters  <=>  T/iters <= b < T/(iters-1)
  const int64_t lo = (kImagenetTrainImages + iters - 1) / iters;
  const int64_t hi = iters > 1 ? (kImagenetTrainImages - 1) / (iters - 1) : kImagenetTrainImages;
  std::optional<int64_t> found;
  for (int64_t b = (lo + 7) / 8 * 8; b <= hi; b += 8) {
    if ((kImagenetTrainImages + b - 1) / b != iters) continue;
    if (found) return std::nullopt;
    found = b;
  }
  return found;
}

// Iterations of a full ImageNet epoch at global batch b (b > 0).
int64_t imagenet_iterations(int64_t b) {
  return kImagenetTrainImages / b + (kImagenetTrainImages % b != 0 ? 1 : 0);
}

std::string fmt_num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

class PytorchExamplesParser : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "pytorch/examples imagenet/main.py console output (Epoch: [E][I/N] Time ... Acc@1)";
  }

  int sniff(std::string_view head) const override {
    // A score needs a progress line ("Epoch: [", "Test: [") or a summary (Acc@/Prec@): a few
    // memmem calls rule out most other files before the line-by-line pass.
    constexpr std::string_view kNeedles[] = {"Epoch: [", "Test: [", "Acc@", "Prec@"};
    bool any = false;
    for (std::string_view n : kNeedles) any = any || head.find(n) != std::string_view::npos;
    if (!any || !looks_like_text(head)) return 0;
    LineReader lines(head);
    std::string_view line;
    int progress = 0, bad = 0, summaries = 0;
    bool creating_model = false;
    while (lines.next(line) && lines.line_number() < 20000) {
      auto kind = pytorch_examples::classify(line);
      if (kind == pytorch_examples::LineKind::kTrain || kind == pytorch_examples::LineKind::kTest) {
        ProgressLine p;
        if (pytorch_examples::parse_progress(line, p))
          ++progress;
        else
          ++bad;
      } else if (kind == pytorch_examples::LineKind::kSummary) {
        SummaryLine s;
        if (pytorch_examples::parse_summary(line, s)) ++summaries;
      } else if (line.starts_with("=> creating model '")) {
        creating_model = true;
      }
      if (progress >= 3) break;
    }
    if (progress == 0 && summaries == 0) return 0;
    // More lines that start like progress lines but break the grammar than lines that keep it:
    // another trainer's log (torchvision's MetricLogger prints "Epoch: [0]  [ 10/5005]  eta:").
    if (progress < bad) return 0;
    int score = 60 + 10 * std::min(progress, 3);
    if (creating_model) score = std::min(95, score + 5);
    return score;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override;
};

// Lines of several ranks can share a file. Rank 0's lines make the series when mpirun tags say
// which rank printed a line: tagged lines of other ranks are held (up to kMaxPending) until rank
// 0 shows up, and count only when it does not. Untagged lines always count; a duplicated
// (epoch, index) is stored once (the first line of each iteration).
constexpr size_t kMaxPending = 65536;

class MainPyRun {
 public:
  MainPyRun(core::ParsedFile& out, core::MetricSink& points, DiagnosticLog& diag,
            const core::DeriveOptions& opt)
      : out_(out), points_(points), diag_(diag), opt_(opt) {}

  void line(std::string_view text, int64_t ln) {
    const std::string_view line = trim_right(text);
    switch (pytorch_examples::classify(line)) {
      case pytorch_examples::LineKind::kTrain:
      case pytorch_examples::LineKind::kTest: {
        ProgressLine p;
        if (!pytorch_examples::parse_progress(line, p)) {
          diag_.warning(ln, "malformed progress line",
                        "malformed progress line (expected '" +
                            std::string(p.is_train ? "Epoch: [E][I/N]" : "Test: [I/N]") +
                            " Time v (avg) ...'): " + std::string(line.substr(0, 160)));
          break;
        }
        start();
        if (p.rank && !in_range(*p.rank, 0, kMaxWorldSize)) p.rank.reset();
        if (p.rank) tagged_ranks_.insert(*p.rank);
        if (p.is_train) {
          observe_train(p);
          route(Held{p, ln, 0});
        } else {
          test_total_ = p.total;
          route(Held{p, ln, current_epoch_});
        }
        break;
      }
      case pytorch_examples::LineKind::kSummary: {
        SummaryLine s;
        if (!pytorch_examples::parse_summary(line, s)) {
          diag_.warning(ln, "malformed summary line",
                        "malformed validation summary (expected ' * Acc@1 X Acc@5 Y'): " +
                            std::string(line.substr(0, 160)));
          break;
        }
        start();
        const int64_t epoch = any_train_ ? current_epoch_ : 0;
        if (!summaries_.emplace(epoch, s).second) ++duplicate_summaries_;
        break;
      }
      case pytorch_examples::LineKind::kUseGpu: {
        if (auto id = pytorch_examples::parse_use_gpu(line); id && *id < kMaxWorldSize)
          use_gpu_ids_.insert(*id);
        break;
      }
      case pytorch_examples::LineKind::kCreatingModel: {
        if (model_arch_.empty()) model_arch_ = pytorch_examples::parse_creating_model(line);
        break;
      }
      case pytorch_examples::LineKind::kCommand: {
        CommandLine c;
        if (!pytorch_examples::parse_command_line(line, c)) break;
        if (!command_) {
          command_ = std::move(c);
        } else if (!command_ambiguous_ && c.args != command_->args) {
          command_ambiguous_ = true;
          diag_.warning(ln, "command line",
                        "a second, different main.py command line: the log's command line is "
                        "ambiguous and is not used for facts");
        }
        break;
      }
      case pytorch_examples::LineKind::kOther:
        break;
    }
  }

  void finish() {
    if (!started_) {
      out_.diagnostics.push_back(Diagnostic{
          Severity::kError, 0,
          "no pytorch/examples progress lines ('Epoch: [E][I/N] Time ...', 'Test: [I/N] ...', "
          "' * Acc@1 ...') found"});
      return;
    }
    if (!rank0_known_)
      for (const Held& h : pending_) consume(h);
    pending_.clear();
    core::RunRecord& run = out_.runs[0];

    // --- ranks -------------------------------------------------------------------------------
    const int64_t ranks_seen =
        std::max<int64_t>({static_cast<int64_t>(use_gpu_ids_.size()), max_dup_,
                           static_cast<int64_t>(tagged_ranks_.size()), 1});
    const bool interleaved = ranks_seen > 1;
    if (interleaved) {
      run.set_param("log.ranks_seen", std::to_string(ranks_seen));
      out_.diagnostics.push_back(Diagnostic{
          Severity::kInfo, 0,
          "lines of at least " + std::to_string(ranks_seen) + " ranks are interleaved; " +
              (rank0_known_ ? std::string("using rank 0's lines (mpirun tags)")
                            : std::string("ranks cannot be told apart: metrics keep the first "
                                          "line of each iteration, throughput uses all lines"))});
    }

    // --- command line ------------------------------------------------------------------------
    const CommandLine* cmd = command_ && !command_ambiguous_ ? &*command_ : nullptr;
    auto arg = [&](const char* key) -> std::optional<std::string> {
      if (!cmd) return std::nullopt;
      auto it = cmd->args.find(key);
      if (it == cmd->args.end()) return std::nullopt;
      return it->second;
    };
    if (cmd) {
      for (const auto& [k, v] : cmd->args) run.set_param(stored_text(k, TextKind::kKey), v);
      if (!cmd->cuda_visible_devices.empty())
        run.set_param("CUDA_VISIBLE_DEVICES", cmd->cuda_visible_devices);
    }
    if (!model_arch_.empty() && !run.find_param("arch")) run.set_param("arch", model_arch_);

    const bool evaluate_only = arg("evaluate").has_value() || (!any_train_ && !summaries_.empty());
    const bool mp_distributed = arg("multiprocessing_distributed").has_value();
    // 0 when absent, not a number or not a plausible count.
    auto count_arg = [&](const char* key, int64_t hi) -> int64_t {
      const auto a = arg(key);
      if (!a) return 0;
      const auto n = parse_int(*a);
      return n && *n >= 0 && *n <= hi ? *n : 0;
    };
    const int64_t cmd_batch = count_arg("batch_size", kMaxBatch);
    const int64_t cmd_world = count_arg("world_size", kMaxWorldSize);
    int64_t visible_gpus = 0;
    if (cmd && !cmd->cuda_visible_devices.empty())
      visible_gpus = std::min<int64_t>(
          kMaxWorldSize,
          1 + std::count(cmd->cuda_visible_devices.begin(), cmd->cuda_visible_devices.end(), ','));

    if (auto e = arg("epochs"); e && !evaluate_only)
      if (auto n = parse_int(*e); n && *n > 0 && *n <= kMaxEpochs)
        run.epochs_planned.set(*n, Source::kLog, "command line in log");

    // --- facts: batch, devices ---------------------------------------------------------------
    if (cmd_batch > 0 && !mp_distributed && cmd_world <= 1 && use_gpu_ids_.empty()) {
      // One process (DataParallel or single GPU): -b is the batch of one iteration over all GPUs.
      run.global_batch.set(cmd_batch, Source::kLog, "command line in log");
      run.nodes.set(1, Source::kInferred, "single process (no distributed flags in command line)");
      if (arg("gpu")) {
        run.world_size.set(1, Source::kInferred, "--gpu selects one device");
      } else if (visible_gpus > 0) {
        run.world_size.set(visible_gpus, Source::kInferred,
                           "CUDA_VISIBLE_DEVICES=" + cmd->cuda_visible_devices +
                               " (DataParallel uses every visible GPU)");
      }
    } else if (cmd_batch > 0 && mp_distributed) {
      // main.py: per-process batch = int(b / ngpus_per_node); --world-size counts nodes.
      if (cmd_world > 0)
        run.nodes.set(cmd_world, Source::kLog, "--world-size with --multiprocessing-distributed");
      if (visible_gpus > 0 && cmd_world > 0 && cmd_batch >= visible_gpus &&
          visible_gpus * cmd_world <= kMaxWorldSize) {
        run.world_size.set(visible_gpus * cmd_world, Source::kInferred,
                           "CUDA_VISIBLE_DEVICES x --world-size");
        run.batch_per_device.set(cmd_batch / visible_gpus, Source::kInferred,
                                 "-b / GPUs per node (main.py int division)");
      } else if (visible_gpus == 0 && cmd_world == 1 && !use_gpu_ids_.empty() &&
                 *use_gpu_ids_.rbegin() + 1 == static_cast<int64_t>(use_gpu_ids_.size()) &&
                 cmd_batch >= static_cast<int64_t>(use_gpu_ids_.size())) {
        // One node: main.py spawns one process per GPU and each prints "Use GPU: k"; ids 0..n-1
        // all present means n processes.
        const int64_t n = static_cast<int64_t>(use_gpu_ids_.size());
        run.world_size.set(n, Source::kInferred,
                           "'Use GPU: 0.." + std::to_string(n - 1) +
                               "' lines with --world-size 1 --multiprocessing-distributed");
        run.batch_per_device.set(cmd_batch / n, Source::kInferred,
                                 "-b / GPUs per node (main.py int division)");
      }
    }
    if (!run.global_batch.known() && run.batch_per_device.known() && run.world_size.known())
      run.global_batch.set(*run.batch_per_device.value * *run.world_size.value, Source::kInferred,
                           "batch_per_device x world_size");
    if (iters_per_epoch_ > 0)
      run.set_param("log.iterations_per_epoch", std::to_string(iters_per_epoch_));
    if (test_total_ > 0) run.set_param("log.val_iterations", std::to_string(test_total_));
    if (iters_per_epoch_ > 0) {
      auto inferred = batch_from_iterations(iters_per_epoch_);
      if (!run.global_batch.known() && inferred) {
        run.global_batch.set(*inferred, Source::kInferred,
                             std::to_string(kImagenetTrainImages) + " / " +
                                 std::to_string(iters_per_epoch_) + " iterations");
      } else if (run.global_batch.known() && *run.global_batch.value > 0 &&
                 imagenet_iterations(*run.global_batch.value) != iters_per_epoch_) {
        out_.diagnostics.push_back(Diagnostic{
            Severity::kInfo, 0,
            std::to_string(iters_per_epoch_) +
                " iterations per epoch do not match a full ImageNet epoch at global "
                "batch " +
                std::to_string(*run.global_batch.value) + " (a subset or another dataset?)"});
      }
    }
    if (cmd || !model_arch_.empty())
      run.precision.set("fp32", Source::kInferred,
                        "pytorch/examples main.py has no mixed precision");

    if (duplicate_summaries_ > 0)
      out_.diagnostics.push_back(Diagnostic{
          Severity::kInfo, 0,
          std::to_string(duplicate_summaries_) +
              " further validation summaries for an already summarised epoch (one per rank?): "
              "the first one of each epoch is used"});

    // --- epochs --------------------------------------------------------------------------------
    // An epoch is complete when its validation summary was printed or a later epoch started.
    std::set<int64_t> complete;
    for (const auto& [e, s] : summaries_) complete.insert(e);
    if (!train_epochs_.empty()) {
      const int64_t last = *train_epochs_.rbegin();
      for (int64_t e : train_epochs_)
        if (e != last) complete.insert(e);
    }
    for (int64_t e : complete) {
      core::EpochRecord rec;
      rec.epoch = e;
      if (auto it = last_loss_avg_.find(e); it != last_loss_avg_.end()) rec.train_loss = it->second;
      if (auto it = summaries_.find(e); it != summaries_.end()) {
        rec.top1 = it->second.top1;
        rec.top5 = it->second.top5;
        add("val.top1", "epoch", static_cast<double>(e), std::nullopt, rec.top1);
        add("val.top5", "epoch", static_cast<double>(e), std::nullopt, rec.top5);
      }
      run.epochs.push_back(rec);
    }
    run.epochs_completed = static_cast<int64_t>(complete.size());

    // --- status --------------------------------------------------------------------------------
    if (evaluate_only) {
      run.status = summaries_.empty() ? core::RunStatus::kIncomplete : core::RunStatus::kFinished;
    } else if (run.epochs_planned.known() && summaries_.count(*run.epochs_planned.value - 1)) {
      run.status = core::RunStatus::kFinished;
    } else {
      run.status = core::RunStatus::kIncomplete;
    }

    core::apply_user_facts(run, opt_);

    // --- throughput over the steady window -------------------------------------------------------
    auto& d = run.derived;
    if (!times_.empty()) {
      const double n = static_cast<double>(times_.size());
      const std::string window =
          "printed train iterations " + std::to_string(first_idx_) + ".." +
          std::to_string(last_idx_) +
          (explicit_window() ? std::string(" (--window)")
                             : " (indices >= " + std::to_string(skip()) + " of each epoch)") +
          ", " + std::to_string(times_.size()) + " lines in " +
          std::to_string(window_epochs_.size()) +
          (window_epochs_.size() == 1 ? " epoch" : " epochs") +
          (interleaved ? (rank0_known_ ? ", rank 0 only" : ", all interleaved ranks' lines") : "");
      d.step_time_p50 = core::percentile_in_place(times_, 50);
      d.step_time_p90 = core::percentile_in_place(times_, 90);
      d.step_time_p99 = core::percentile_in_place(times_, 99);
      if (run.global_batch.known()) {
        const double gb = static_cast<double>(*run.global_batch.value);
        d.total_ips = gb * n / sum_time_;
        d.total_ips_definition = "global_batch " + std::to_string(*run.global_batch.value) +
                                 " / mean per-iteration Time (" + fmt_num(sum_time_ / n) +
                                 " s) over " + window;
        if (all_have_data_ && sum_compute_ > 0) {
          d.compute_ips = gb * n / sum_compute_;
          d.compute_ips_definition = "global_batch " + std::to_string(*run.global_batch.value) +
                                     " / mean (Time - Data) (" + fmt_num(sum_compute_ / n) +
                                     " s) over " + window;
        }
      } else {
        d.total_ips_definition =
            "NULL: global batch unknown (no command line in log, iterations per epoch do not fix "
            "it); pass --set global_batch=N";
      }
    }
    core::derive_common(run, opt_);
  }

 private:
  struct Held {
    ProgressLine p;
    int64_t line_no = 0;
    int64_t val_epoch = 0;  // test lines: the epoch of the train lines before them
  };

  bool explicit_window() const { return opt_.window_first || opt_.window_last; }
  int64_t skip() const { return opt_.skip_steps.value_or(kDefaultSkipSteps); }

  void start() {
    if (started_) return;
    core::RunRecord run;
    run.source_format = std::string(kName);
    out_.runs.push_back(std::move(run));
    started_ = true;
  }

  // What every train line tells, whichever rank printed it.
  void observe_train(const ProgressLine& p) {
    any_train_ = true;
    current_epoch_ = p.epoch;
    iters_per_epoch_ = std::max(iters_per_epoch_, p.total);
    train_epochs_.insert(p.epoch);
    if (p.epoch > max_epoch_) {
      max_epoch_ = p.epoch;
      // Ranks drift apart by an epoch at most: older indices are not needed any more.
      std::erase_if(seen_, [&](const auto& kv) { return kv.first.first < max_epoch_ - 1; });
      std::erase_if(emitted_, [&](const StepKey& k) { return k.first < max_epoch_ - 1; });
      std::erase_if(val_emitted_, [&](const StepKey& k) { return k.first < max_epoch_ - 1; });
    }
    uint32_t& n = seen_[{p.epoch, p.index}];
    if (n < UINT32_MAX) ++n;
    max_dup_ = std::max<int64_t>(max_dup_, n);
  }

  void route(Held h) {
    const ProgressLine& p = h.p;
    if (!p.rank) return consume(h);
    if (*p.rank == 0) {
      if (!rank0_known_) {
        rank0_known_ = true;
        pending_.clear();
        pending_.shrink_to_fit();
      }
      return consume(h);
    }
    if (rank0_known_) return;
    if (pending_overflow_) return consume(h);
    pending_.push_back(std::move(h));
    if (pending_.size() >= kMaxPending) {
      // Rank 0 did not show up in time: every rank's lines count, as when it never does.
      pending_overflow_ = true;
      for (const Held& held : pending_) consume(held);
      pending_.clear();
      pending_.shrink_to_fit();
    }
  }

  void add(std::string_view key, std::string_view level, std::optional<double> epoch,
           std::optional<int64_t> step, std::optional<double> v) {
    if (v) points_.add(0, key, level, epoch, step, std::nullopt, *v);
  }

  // A line that makes the run's series: metrics, the epoch's loss, the throughput window.
  void consume(const Held& h) {
    const ProgressLine& p = h.p;
    if (!p.is_train) {
      if (!val_emitted_.insert({h.val_epoch, p.index}).second) return;
      const double ep = static_cast<double>(h.val_epoch);
      add("val.batch_time", "val_iter", ep, p.index, p.time);
      add("val.loss", "val_iter", ep, p.index, p.loss);
      add("val.top1", "val_iter", ep, p.index, p.top1);
      add("val.top5", "val_iter", ep, p.index, p.top5);
      return;
    }
    if (p.loss_avg) last_loss_avg_.insert_or_assign(p.epoch, *p.loss_avg);
    window(p);
    if (!emitted_.insert({p.epoch, p.index}).second) return;
    const double ep = static_cast<double>(p.epoch);
    add("train.batch_time", "iter", ep, p.index, p.time);
    add("train.data_time", "iter", ep, p.index, p.data);
    add("train.loss", "iter", ep, p.index, p.loss);
    add("train.top1", "iter", ep, p.index, p.top1);
    add("train.top5", "iter", ep, p.index, p.top5);
  }

  void window(const ProgressLine& p) {
    if (explicit_window()) {
      if (opt_.window_first && p.index < *opt_.window_first) return;
      if (opt_.window_last && p.index > *opt_.window_last) return;
    } else if (p.index < skip()) {
      return;
    }
    if (!p.time || !std::isfinite(*p.time) || *p.time <= 0) return;
    times_.push_back(*p.time);
    sum_time_ += *p.time;
    if (p.data && std::isfinite(*p.data) && *p.time - *p.data > 0)
      sum_compute_ += *p.time - *p.data;
    else
      all_have_data_ = false;
    first_idx_ = first_idx_ < 0 ? p.index : std::min(first_idx_, p.index);
    last_idx_ = std::max(last_idx_, p.index);
    window_epochs_.insert(p.epoch);
  }

  core::ParsedFile& out_;
  core::MetricSink& points_;
  DiagnosticLog& diag_;
  const core::DeriveOptions& opt_;
  bool started_ = false;

  // Ranks.
  std::set<int64_t> use_gpu_ids_, tagged_ranks_;
  bool rank0_known_ = false, pending_overflow_ = false;
  std::vector<Held> pending_;
  std::unordered_map<StepKey, uint32_t, StepKeyHash> seen_;  // lines per (epoch, index)
  int64_t max_dup_ = 0;
  int64_t max_epoch_ = -1;  // epochs are >= 0

  // Series.
  std::unordered_set<StepKey, StepKeyHash> emitted_, val_emitted_;
  std::map<int64_t, double> last_loss_avg_;   // epoch -> last printed Loss avg
  std::map<int64_t, SummaryLine> summaries_;  // epoch -> first summary
  int64_t duplicate_summaries_ = 0;
  std::set<int64_t> train_epochs_;
  bool any_train_ = false;
  int64_t current_epoch_ = 0;
  int64_t iters_per_epoch_ = 0;
  int64_t test_total_ = 0;

  // Facts.
  std::optional<CommandLine> command_;
  bool command_ambiguous_ = false;
  std::string model_arch_;

  // Throughput window.
  std::vector<double> times_;
  double sum_time_ = 0, sum_compute_ = 0;
  bool all_have_data_ = true;
  int64_t first_idx_ = -1, last_idx_ = -1;
  std::set<int64_t> window_epochs_;
};

void PytorchExamplesParser::parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
                                  const core::DeriveOptions& opt) const {
  parse_lines<MainPyRun>(kName, kVersion, in, out, points, opt, kMaxDiagnosticsPerKind);
}

}  // namespace

std::unique_ptr<Parser> make_pytorch_examples_parser() {
  return std::make_unique<PytorchExamplesParser>();
}

}  // namespace rn50::parsers
