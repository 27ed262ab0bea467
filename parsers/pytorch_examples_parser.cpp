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

#include "parsers/parser.h"
#include "parsers/pytorch_examples_grammar.h"
#include "parsers/text_lines.h"

namespace rn50::parsers {

namespace {

using core::Diagnostic;
using core::Severity;
using core::Source;
using pytorch_examples::CommandLine;
using pytorch_examples::ProgressLine;
using pytorch_examples::SummaryLine;

constexpr std::string_view kName = "pytorch-examples";
constexpr std::string_view kVersion = "1";
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
    return std::hash<int64_t>()(k.first * 1000003 + k.second);
  }
};
using StepSet = std::unordered_set<StepKey, StepKeyHash>;

struct TrainPoint {
  ProgressLine line;
  int64_t line_no = 0;
};

class DiagnosticSink {
 public:
  explicit DiagnosticSink(core::Diagnostics& out) : out_(out) {}
  void add(const std::string& kind, Severity sev, int64_t line, std::string msg) {
    int& n = counts_[kind];
    ++n;
    if (n <= kMaxDiagnosticsPerKind) out_.push_back(Diagnostic{sev, line, std::move(msg)});
  }
  void flush() {
    for (const auto& [kind, n] : counts_)
      if (n > kMaxDiagnosticsPerKind)
        out_.push_back(Diagnostic{Severity::kWarning, 0,
                                  std::to_string(n - kMaxDiagnosticsPerKind) + " more '" + kind +
                                      "' diagnostics not shown"});
  }

 private:
  core::Diagnostics& out_;
  std::map<std::string, int> counts_;
};

// Global batch b such that a full ImageNet epoch has exactly `iters` iterations, when exactly one
// multiple of 8 qualifies (every ResNet batch size in the known logs is one). nullopt otherwise.
std::optional<int64_t> batch_from_iterations(int64_t iters) {
  if (iters <= 0) return std::nullopt;
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

std::string fmt_num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

class PytorchExamplesParser : public WholeBufferParser {
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
    if (progress < bad) return 10;  // looks similar (torchvision MetricLogger?), not this grammar
    int score = 60 + 10 * std::min(progress, 3);
    if (creating_model) score = std::min(95, score + 5);
    return score;
  }

  core::ParsedFile parse_buffer(std::string_view content, const core::DeriveOptions& opt) const override;
};

core::ParsedFile PytorchExamplesParser::parse_buffer(std::string_view content,
                                              const core::DeriveOptions& opt) const {
  core::ParsedFile out;
  out.format = std::string(kName);
  out.parser_version = std::string(kVersion);
  DiagnosticSink diag(out.diagnostics);

  std::vector<TrainPoint> train;
  std::vector<std::pair<ProgressLine, int64_t>> tests;
  struct EpochSummary {
    SummaryLine s;
    int64_t line_no;
  };
  std::map<int64_t, EpochSummary> summaries;  // epoch -> first summary
  int duplicate_summaries = 0;
  std::set<int64_t> use_gpu_ids;
  std::set<int64_t> tagged_ranks;
  std::vector<std::pair<CommandLine, int64_t>> commands;
  std::string model_arch;
  bool any_train = false;
  int64_t current_epoch = 0;
  int64_t test_total = 0;

  LineReader lines(content);
  std::string_view line;
  while (lines.next(line)) {
    const int64_t ln = lines.line_number();
    switch (pytorch_examples::classify(line)) {
      case pytorch_examples::LineKind::kTrain:
      case pytorch_examples::LineKind::kTest: {
        ProgressLine p;
        if (!pytorch_examples::parse_progress(line, p)) {
          diag.add("malformed progress line", Severity::kWarning, ln,
                   "malformed progress line (expected '" +
                       std::string(p.is_train ? "Epoch: [E][I/N]" : "Test: [I/N]") +
                       " Time v (avg) ...'): " + to_utf8_text(line.substr(0, 160)));
          break;
        }
        if (p.rank) tagged_ranks.insert(*p.rank);
        if (p.is_train) {
          any_train = true;
          current_epoch = p.epoch;
          train.push_back({p, ln});
        } else {
          test_total = p.total;
          tests.emplace_back(p, ln);
        }
        break;
      }
      case pytorch_examples::LineKind::kSummary: {
        SummaryLine s;
        if (!pytorch_examples::parse_summary(line, s)) {
          diag.add("malformed summary line", Severity::kWarning, ln,
                   "malformed validation summary (expected ' * Acc@1 X Acc@5 Y'): " +
                       to_utf8_text(line.substr(0, 160)));
          break;
        }
        const int64_t epoch = any_train ? current_epoch : 0;
        if (!summaries.emplace(epoch, EpochSummary{s, ln}).second) ++duplicate_summaries;
        break;
      }
      case pytorch_examples::LineKind::kUseGpu: {
        if (auto id = pytorch_examples::parse_use_gpu(line)) use_gpu_ids.insert(*id);
        break;
      }
      case pytorch_examples::LineKind::kCreatingModel: {
        if (model_arch.empty()) model_arch = pytorch_examples::parse_creating_model(line);
        break;
      }
      case pytorch_examples::LineKind::kCommand: {
        CommandLine c;
        if (pytorch_examples::parse_command_line(line, c)) commands.emplace_back(std::move(c), ln);
        break;
      }
      case pytorch_examples::LineKind::kOther:
        break;
    }
  }

  if (train.empty() && tests.empty() && summaries.empty()) {
    out.diagnostics.push_back(Diagnostic{
        Severity::kError, 0,
        "no pytorch/examples progress lines ('Epoch: [E][I/N] Time ...', 'Test: [I/N] ...', "
        "' * Acc@1 ...') found"});
    diag.flush();
    return out;
  }

  core::RunRecord run;
  run.source_format = std::string(kName);

  // --- ranks -------------------------------------------------------------------------------
  std::unordered_map<StepKey, int, StepKeyHash> seen_index;
  seen_index.reserve(train.size());
  int max_dup = 0;
  for (const auto& t : train)
    max_dup = std::max(max_dup, ++seen_index[{t.line.epoch, t.line.index}]);
  const int64_t ranks_seen =
      std::max<int64_t>({static_cast<int64_t>(use_gpu_ids.size()), static_cast<int64_t>(max_dup),
                         static_cast<int64_t>(tagged_ranks.size()), 1});
  const bool rank0_known = tagged_ranks.count(0) > 0;
  const bool interleaved = ranks_seen > 1;
  if (interleaved) {
    run.set_param("log.ranks_seen", std::to_string(ranks_seen));
    out.diagnostics.push_back(Diagnostic{
        Severity::kInfo, 0,
        "lines of at least " + std::to_string(ranks_seen) + " ranks are interleaved; " +
            (rank0_known ? std::string("using rank 0's lines (mpirun tags)")
                         : std::string("ranks cannot be told apart: metrics keep the first line "
                                       "of each iteration, throughput uses all lines"))});
  }
  auto counts_for_series = [&](const TrainPoint& t) {
    return !rank0_known || (t.line.rank && *t.line.rank == 0);
  };

  // --- command line --------------------------------------------------------------------------
  const CommandLine* cmd = nullptr;
  if (!commands.empty()) {
    cmd = &commands.front().first;
    for (size_t i = 1; i < commands.size(); ++i) {
      if (commands[i].first.args != cmd->args) {
        out.diagnostics.push_back(Diagnostic{
            Severity::kWarning, commands[i].second,
            "a second, different main.py command line: the log's command line is ambiguous and "
            "is not used for facts"});
        cmd = nullptr;
        break;
      }
    }
  }
  auto arg = [&](const char* key) -> std::optional<std::string> {
    if (!cmd) return std::nullopt;
    auto it = cmd->args.find(key);
    if (it == cmd->args.end()) return std::nullopt;
    return it->second;
  };
  if (cmd) {
    for (const auto& [k, v] : cmd->args) run.set_param(k, v);
    if (!cmd->cuda_visible_devices.empty())
      run.set_param("CUDA_VISIBLE_DEVICES", cmd->cuda_visible_devices);
  }
  if (!model_arch.empty() && !run.find_param("arch")) run.set_param("arch", model_arch);

  const bool evaluate_only = arg("evaluate").has_value() || (train.empty() && !summaries.empty());
  const bool mp_distributed = arg("multiprocessing_distributed").has_value();
  // 0 when absent or not a number.
  const int64_t cmd_batch = arg("batch_size") ? parse_int(*arg("batch_size")).value_or(0) : 0;
  const int64_t cmd_world = arg("world_size") ? parse_int(*arg("world_size")).value_or(0) : 0;
  int64_t visible_gpus = 0;
  if (cmd && !cmd->cuda_visible_devices.empty())
    visible_gpus =
        1 + std::count(cmd->cuda_visible_devices.begin(), cmd->cuda_visible_devices.end(), ',');

  if (auto e = arg("epochs"); e && !evaluate_only)
    if (auto n = parse_int(*e); n && *n > 0)
      run.epochs_planned.set(*n, Source::kLog, "command line in log");

  // --- facts: batch, devices -------------------------------------------------------------------
  if (cmd_batch > 0 && !mp_distributed && cmd_world <= 1 && use_gpu_ids.empty()) {
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
    if (visible_gpus > 0 && cmd_world > 0 && cmd_batch >= visible_gpus) {
      run.world_size.set(visible_gpus * cmd_world, Source::kInferred,
                         "CUDA_VISIBLE_DEVICES x --world-size");
      run.batch_per_device.set(cmd_batch / visible_gpus, Source::kInferred,
                               "-b / GPUs per node (main.py int division)");
    } else if (visible_gpus == 0 && cmd_world == 1 && !use_gpu_ids.empty() &&
               *use_gpu_ids.rbegin() + 1 == static_cast<int64_t>(use_gpu_ids.size()) &&
               cmd_batch >= static_cast<int64_t>(use_gpu_ids.size())) {
      // One node: main.py spawns one process per GPU and each prints "Use GPU: k"; ids 0..n-1
      // all present means n processes.
      const int64_t n = static_cast<int64_t>(use_gpu_ids.size());
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
  int64_t iters_per_epoch = 0;
  for (const auto& t : train) iters_per_epoch = std::max(iters_per_epoch, t.line.total);
  if (iters_per_epoch > 0)
    run.set_param("log.iterations_per_epoch", std::to_string(iters_per_epoch));
  if (test_total > 0) run.set_param("log.val_iterations", std::to_string(test_total));
  if (iters_per_epoch > 0) {
    auto inferred = batch_from_iterations(iters_per_epoch);
    if (!run.global_batch.known() && inferred) {
      run.global_batch.set(*inferred, Source::kInferred,
                           std::to_string(kImagenetTrainImages) + " / " +
                               std::to_string(iters_per_epoch) + " iterations");
    } else if (run.global_batch.known() &&
               (kImagenetTrainImages + *run.global_batch.value - 1) / *run.global_batch.value !=
                   iters_per_epoch) {
      out.diagnostics.push_back(Diagnostic{Severity::kInfo, 0,
                                           std::to_string(iters_per_epoch) +
                                               " iterations per epoch do not match a full ImageNet "
                                               "epoch at global batch " +
                                               std::to_string(*run.global_batch.value) +
                                               " (a subset or another dataset?)"});
    }
  }
  const bool clearly_pytorch_examples = (cmd != nullptr || !model_arch.empty());
  if (clearly_pytorch_examples)
    run.precision.set("fp32", Source::kInferred, "pytorch/examples main.py has no mixed precision");

  // --- metrics -------------------------------------------------------------------------------
  StepSet emitted;
  auto add_metric = [&](const char* key, const char* level, std::optional<double> epoch,
                        std::optional<int64_t> step, std::optional<double> v) {
    if (!v) return;
    core::MetricPoint m;
    m.key = key;
    m.level = level;
    m.epoch = epoch;
    m.step = step;
    m.value = *v;
    run.metrics.push_back(std::move(m));
  };
  run.metrics.reserve(5 * train.size() + 4 * tests.size() + 2 * summaries.size());
  std::map<int64_t, double> last_loss_avg;  // epoch -> last printed Loss avg
  for (const auto& t : train) {
    if (!counts_for_series(t)) continue;
    const auto& p = t.line;
    if (p.loss_avg) last_loss_avg.insert_or_assign(p.epoch, *p.loss_avg);
    if (interleaved && !emitted.insert({p.epoch, p.index}).second) continue;
    const double ep = static_cast<double>(p.epoch);
    add_metric("train.batch_time", "iter", ep, p.index, p.time);
    add_metric("train.data_time", "iter", ep, p.index, p.data);
    add_metric("train.loss", "iter", ep, p.index, p.loss);
    add_metric("train.top1", "iter", ep, p.index, p.top1);
    add_metric("train.top5", "iter", ep, p.index, p.top5);
  }
  {
    // Validation lines belong to the epoch of the train lines before them.
    StepSet val_emitted;
    size_t ti = 0;
    int64_t epoch = 0;
    for (const auto& [p, ln] : tests) {
      while (ti < train.size() && train[ti].line_no < ln) epoch = train[ti++].line.epoch;
      if (rank0_known && !(p.rank && *p.rank == 0)) continue;
      if (interleaved && !val_emitted.insert({epoch, p.index}).second) continue;
      const double ep = static_cast<double>(epoch);
      add_metric("val.batch_time", "val_iter", ep, p.index, p.time);
      add_metric("val.loss", "val_iter", ep, p.index, p.loss);
      add_metric("val.top1", "val_iter", ep, p.index, p.top1);
      add_metric("val.top5", "val_iter", ep, p.index, p.top5);
    }
  }
  if (duplicate_summaries > 0)
    out.diagnostics.push_back(Diagnostic{
        Severity::kInfo, 0,
        std::to_string(duplicate_summaries) +
            " further validation summaries for an already summarised epoch (one per rank?): "
            "the first one of each epoch is used"});

  // --- epochs ----------------------------------------------------------------------------------
  // An epoch is complete when its validation summary was printed or a later epoch started.
  std::set<int64_t> train_epochs;
  for (size_t i = 0; i < train.size(); ++i)
    if (i == 0 || train[i].line.epoch != train[i - 1].line.epoch)
      train_epochs.insert(train[i].line.epoch);
  std::set<int64_t> complete;
  for (const auto& [e, s] : summaries) complete.insert(e);
  if (!train_epochs.empty()) {
    const int64_t last = *train_epochs.rbegin();
    for (int64_t e : train_epochs)
      if (e != last) complete.insert(e);
  }
  for (int64_t e : complete) {
    core::EpochRecord rec;
    rec.epoch = e;
    if (auto it = last_loss_avg.find(e); it != last_loss_avg.end()) rec.train_loss = it->second;
    if (auto it = summaries.find(e); it != summaries.end()) {
      rec.top1 = it->second.s.top1;
      rec.top5 = it->second.s.top5;
      add_metric("val.top1", "epoch", static_cast<double>(e), std::nullopt, rec.top1);
      add_metric("val.top5", "epoch", static_cast<double>(e), std::nullopt, rec.top5);
    }
    run.epochs.push_back(rec);
  }
  run.epochs_completed = static_cast<int64_t>(complete.size());

  // --- status ----------------------------------------------------------------------------------
  if (evaluate_only) {
    run.status = summaries.empty() ? core::RunStatus::kIncomplete : core::RunStatus::kFinished;
  } else if (run.epochs_planned.known() && summaries.count(*run.epochs_planned.value - 1)) {
    run.status = core::RunStatus::kFinished;
  } else {
    run.status = core::RunStatus::kIncomplete;
  }

  core::apply_user_facts(run, opt);

  // --- throughput over the steady window ---------------------------------------------------------
  const bool explicit_window = opt.window_first.has_value() || opt.window_last.has_value();
  const int64_t skip = opt.skip_steps.value_or(kDefaultSkipSteps);
  std::vector<double> times;
  double sum_time = 0, sum_compute = 0;
  bool all_have_data = true;
  int64_t first_idx = -1, last_idx = -1;
  std::set<int64_t> window_epochs;
  for (const auto& t : train) {
    if (!counts_for_series(t)) continue;
    const auto& p = t.line;
    if (explicit_window) {
      if (opt.window_first && p.index < *opt.window_first) continue;
      if (opt.window_last && p.index > *opt.window_last) continue;
    } else if (p.index < skip) {
      continue;
    }
    if (!p.time || !std::isfinite(*p.time) || *p.time <= 0) continue;
    times.push_back(*p.time);
    sum_time += *p.time;
    if (p.data && std::isfinite(*p.data) && *p.time - *p.data > 0)
      sum_compute += *p.time - *p.data;
    else
      all_have_data = false;
    first_idx = first_idx < 0 ? p.index : std::min(first_idx, p.index);
    last_idx = std::max(last_idx, p.index);
    window_epochs.insert(p.epoch);
  }
  auto& d = run.derived;
  if (!times.empty()) {
    d.step_time_p50 = core::percentile_in_place(times, 50);
    d.step_time_p90 = core::percentile_in_place(times, 90);
    d.step_time_p99 = core::percentile_in_place(times, 99);
    const double n = static_cast<double>(times.size());
    const std::string window =
        "printed train iterations " + std::to_string(first_idx) + ".." + std::to_string(last_idx) +
        (explicit_window ? std::string(" (--window)")
                         : " (indices >= " + std::to_string(skip) + " of each epoch)") +
        ", " + std::to_string(times.size()) + " lines in " + std::to_string(window_epochs.size()) +
        (window_epochs.size() == 1 ? " epoch" : " epochs") +
        (interleaved ? (rank0_known ? ", rank 0 only" : ", all interleaved ranks' lines") : "");
    if (run.global_batch.known()) {
      const double gb = static_cast<double>(*run.global_batch.value);
      d.total_ips = gb * n / sum_time;
      d.total_ips_definition = "global_batch " + std::to_string(*run.global_batch.value) +
                               " / mean per-iteration Time (" + fmt_num(sum_time / n) +
                               " s) over " + window;
      if (all_have_data && sum_compute > 0) {
        d.compute_ips = gb * n / sum_compute;
        d.compute_ips_definition = "global_batch " + std::to_string(*run.global_batch.value) +
                                   " / mean (Time - Data) (" + fmt_num(sum_compute / n) +
                                   " s) over " + window;
      }
    } else {
      d.total_ips_definition =
          "NULL: global batch unknown (no command line in log, iterations per epoch do not fix "
          "it); pass --set global_batch=N";
    }
  }

  core::derive_common(run, opt);
  out.runs.push_back(std::move(run));
  diag.flush();
  return out;
}

}  // namespace

std::unique_ptr<Parser> make_pytorch_examples_parser() {
  return std::make_unique<PytorchExamplesParser>();
}

}  // namespace rn50::parsers
