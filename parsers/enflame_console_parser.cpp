// Enflame "TopsModels" train.py console log, the file the GCU ResNet-50 tutorial's
// `python -u ./train.py ... 2>&1 | tee ${LOG_FILE}` leaves (docs/formats/enflame-console.md):
//   2024-08-03 10:11:12,345: D [M APP] [T 12345] train.py:107 : [Model_Train] epoch: 0; ...
// Logger lines are written by every rank and told apart only by `[T pid]`; print() lines
// (Namespace, distributed init) carry no prefix; the run ends with `Final report:` and the report
// JSON (parsers/enflame_report.h) over unprefixed lines.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/time_util.h"
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

constexpr std::string_view kName = "enflame-console";
constexpr std::string_view kVersion = "1";
// `%(asctime)s: D [M APP] [T %(process)d] %(filename)s:%(lineno)d : %(message)s`
constexpr std::string_view kMarker = " [M APP] [T ";
constexpr size_t kStampLength = 23;  // "YYYY-MM-DD HH:MM:SS,mmm"
// The report JSON is a few hundred bytes; anything near this is not one.
constexpr size_t kMaxReportBytes = 64 * 1024;

struct LoggerLine {
  std::optional<double> time;
  int64_t pid = 0;
  std::string_view message;
};

std::optional<double> read_stamp(std::string_view t) {
  if (t.size() != kStampLength || t[19] != ',') return std::nullopt;
  char buf[kStampLength];
  std::memcpy(buf, t.data(), kStampLength);
  buf[19] = '.';  // logging's "%s,%03d" -> the fraction parse_datetime reads
  return core::parse_datetime(std::string_view(buf, kStampLength));
}

// The logger prefix may follow another process's unfinished output on the same line, so it is
// searched for, not expected at column 0.
bool read_logger_line(std::string_view line, LoggerLine& out) {
  const size_t at = line.find(kMarker);
  if (at == std::string_view::npos || at < 3) return false;
  // ": D" before the marker: the level letter is a literal D in this format.
  if (line[at - 3] != ':' || line[at - 2] != ' ' || line[at - 1] < 'A' || line[at - 1] > 'Z')
    return false;
  out.time = at >= 3 + kStampLength ? read_stamp(line.substr(at - 3 - kStampLength, kStampLength))
                                    : std::nullopt;
  std::string_view rest = line.substr(at + kMarker.size());
  size_t digits = 0;
  while (digits < rest.size() && is_digit(rest[digits])) ++digits;
  const auto pid = parse_int(rest.substr(0, digits));
  if (!pid || rest.substr(digits, 2) != "] ") return false;
  out.pid = *pid;
  rest.remove_prefix(digits + 2);
  const size_t sep = rest.find(" : ");  // after "<filename>:<lineno>"
  if (sep == std::string_view::npos) return false;
  out.message = trim_right(rest.substr(sep + 3));
  return true;
}

// "[Model_Train] epoch: 0; local_step: 5; loss: 38.8; train_accuracy_step: tensor(12.5000)" ->
// fields. A trailing ';' (the eval summary of evaluate()) is allowed.
using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

bool read_fields(std::string_view s, Fields& out) {
  out.clear();
  while (!s.empty()) {
    const size_t semi = s.find(';');
    const std::string_view part = trim(s.substr(0, semi));
    s = semi == std::string_view::npos ? std::string_view() : s.substr(semi + 1);
    if (part.empty()) continue;
    const size_t colon = part.find(": ");
    if (colon == std::string_view::npos || colon == 0) return false;
    out.emplace_back(part.substr(0, colon), trim(part.substr(colon + 2)));
  }
  return !out.empty();
}

std::optional<std::string_view> field(const Fields& f, std::string_view key) {
  for (const auto& [k, v] : f)
    if (k == key) return v;
  return std::nullopt;
}

// A Python float, or a 0-d tensor as repr() prints it: tensor(12.5000[, device='gcu:0']).
std::optional<double> value_number(std::string_view v) {
  if (v.starts_with("tensor(")) {
    v.remove_prefix(7);
    const size_t end = v.find_first_of(",)");
    if (end == std::string_view::npos) return std::nullopt;
    v = trim(v.substr(0, end));
  }
  auto d = parse_double(v);
  if (d && !std::isfinite(*d)) return std::nullopt;
  return d;
}

// One process of the run ([T pid]): its throughput sums over the steady window.
struct Process {
  int64_t pid = 0;
  bool trained = false;  // has [Model_Train] lines
  std::optional<int64_t> prev_epoch, prev_step;
  std::optional<double> prev_time;
  double iterations = 0, seconds = 0;
  int64_t pairs = 0;
};

class ConsoleRun {
 public:
  ConsoleRun(core::ParsedFile& out, core::MetricSink& points, DiagnosticLog& diag,
             const core::DeriveOptions& opt)
      : out_(out), points_(points), diag_(diag), opt_(opt) {}

  void line(std::string_view line, int64_t ln) {
    LoggerLine lg;
    if (read_logger_line(line, lg)) return logger(lg, ln);
    const std::string_view t = trim(line);
    if (collecting_) return report_line(t, ln);
    if (t.starts_with("Namespace(")) return namespace_line(t, ln);
    if (t.starts_with("| distributed init (rank:")) return distributed_init(t);
    if (t == "Not using distributed mode") not_distributed_ = true;
  }

  void finish() {
    if (collecting_) {
      diag_.warning(report_line_, "report", "Final report cut off: the log ends inside it");
      collecting_ = false;
    }
    if (!started_) {
      out_.diagnostics.push_back({Severity::kError, 0,
                                  "no Enflame train.py lines ('<time>: D [M APP] [T <pid>] "
                                  "train.py:<line> : [Model_Train] ...') found"});
      return;
    }
    core::RunRecord& run = this->run();
    facts(run);
    for (auto& [e, rec] : epochs_) run.epochs.push_back(rec);
    std::map<int64_t, bool> complete;
    for (const auto& [e, rec] : epochs_) complete[e] = true;
    if (!train_epochs_.empty()) {
      const int64_t last = *train_epochs_.rbegin();
      for (int64_t e : train_epochs_)
        if (e != last || report_read_) complete[e] = true;
    }
    run.epochs_completed = static_cast<int64_t>(complete.size());
    run.status = report_read_ ? core::RunStatus::kFinished : core::RunStatus::kIncomplete;
    core::apply_user_facts(run, opt_);
    throughput(run);
    core::derive_common(run, opt_);
    if (report_training_time_) run.derived.wall_time_s = report_training_time_;
    // The report's fps are one card's (the last epoch's): the run's own figure only when the
    // run is that one card.
    if (run.derived.summary_total_ips && run.world_size.value != 1) {
      run.derived.summary_total_ips.reset();
      out_.diagnostics.push_back(
          {Severity::kInfo, 0,
           "Final report train_fps_mean is one card's, not the run's: kept as the param "
           "report.train_fps_mean"});
    }
  }

 private:
  core::RunRecord& run() { return out_.runs[0]; }

  void start() {
    if (started_) return;
    core::RunRecord r;
    r.source_format = std::string(kName);
    out_.runs.push_back(std::move(r));
    started_ = true;
  }

  Process* process(int64_t pid, int64_t ln) {
    if (auto it = process_index_.find(pid); it != process_index_.end())
      return &processes_[it->second];
    if (static_cast<int64_t>(processes_.size()) >= kMaxWorldSize) {
      diag_.warning(ln, "processes", "more processes than a run can have: ignored");
      return nullptr;
    }
    process_index_.emplace(pid, processes_.size());
    Process p;
    p.pid = pid;
    processes_.push_back(p);
    return &processes_.back();
  }

  bool is_primary(int64_t pid) {
    if (!primary_) primary_ = pid;
    return *primary_ == pid;
  }

  void logger(const LoggerLine& lg, int64_t ln) {
    const std::string_view m = lg.message;
    if (m.starts_with("[Model_Train] ")) return train(lg, m.substr(14), ln);
    if (m.starts_with("[Model_Eval] ")) return eval(lg, m.substr(13), ln);
    if (m.starts_with("Final report:")) return report_start(lg, ln);
    if (m.starts_with("load checkpoint from ")) {
      start();
      core::Event ev;
      ev.key = "load_checkpoint";
      ev.time = lg.time;
      std::string path(trim(m.substr(21)));
      if (path.ends_with(" done.")) path.resize(path.size() - 6);
      ev.value_json = json_string(path);
      ev.metadata_json = "{\"pid\": " + std::to_string(lg.pid) + "}";
      run().events.push_back(std::move(ev));
    }
    // "only train steps N for one epoch." and other messages carry nothing we store.
  }

  static std::string json_string(const std::string& s) {
    // A JSON string of key-form stored text: no control characters remain to escape.
    std::string out = "\"";
    for (char c : stored_text(s, TextKind::kKey)) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }

  std::optional<int64_t> count(const Fields& f, std::string_view key, int64_t hi, int64_t ln,
                               std::string_view kind) {
    const auto v = field(f, key);
    if (!v) return std::nullopt;
    std::string why;
    const auto n = parse_int(*v);
    if (n && in_range(*n, 0, hi, &why)) return n;
    diag_.warning(ln, kind,
                  std::string(kind) + ": " + std::string(key) + ": " +
                      (n ? why : in_quotes(v->substr(0, 40)) + " is not an integer"));
    return std::nullopt;
  }

  void train(const LoggerLine& lg, std::string_view body, int64_t ln) {
    if (!read_fields(body, fields_)) {
      diag_.warning(ln, "malformed [Model_Train] line",
                    "malformed [Model_Train] line: " + std::string(body.substr(0, 120)));
      return;
    }
    const auto epoch = count(fields_, "epoch", kMaxEpochs, ln, "malformed [Model_Train] line");
    const auto step = count(fields_, "local_step", kMaxStep, ln, "malformed [Model_Train] line");
    if (!epoch || !step) {
      if (!field(fields_, "epoch") || !field(fields_, "local_step"))
        diag_.warning(ln, "malformed [Model_Train] line",
                      "[Model_Train] line without epoch or local_step");
      return;
    }
    start();
    Process* p = process(lg.pid, ln);
    if (!p) return;
    p->trained = true;
    train_epochs_.insert(*epoch);
    if (!run().start_time && lg.time) run().start_time = lg.time;
    pair(*p, *epoch, *step, lg.time);
    if (!is_primary(lg.pid)) return;
    const double ep = static_cast<double>(*epoch);
    emit("train.loss", "iter", ep, *step, lg.time, fields_, "loss");
    emit("train.top1", "iter", ep, *step, lg.time, fields_, "train_accuracy_step");
    emit("train.rank_ips", "iter", ep, *step, lg.time, fields_, "train_fps_step");
  }

  // Consecutive [Model_Train] lines of one process in one epoch: iterations over seconds.
  void pair(Process& p, int64_t epoch, int64_t step, std::optional<double> time) {
    if (!window_fixed_) fix_window();
    if (p.prev_epoch == epoch && p.prev_step && *p.prev_step < step && p.prev_time && time &&
        in_window(*p.prev_step, step)) {
      const double dt = *time - *p.prev_time;
      if (dt > 0) {
        const double n = static_cast<double>(step) - static_cast<double>(*p.prev_step);
        p.iterations += n;
        p.seconds += dt;
        ++p.pairs;
        if (primary_ && *primary_ == p.pid) step_times_.push_back(dt / n);
      }
    }
    p.prev_epoch = epoch;
    p.prev_step = step;
    p.prev_time = time;
  }

  // The tool skips its first skip_steps intervals of print_freq steps in every epoch; the same
  // steady window here, unless --skip-steps or --window says otherwise.
  void fix_window() {
    window_fixed_ = true;
    if (opt_.skip_steps) {
      skip_ = *opt_.skip_steps;
      skip_text_ = "local_step >= " + std::to_string(skip_) + " (--skip-steps)";
      return;
    }
    const auto skip_steps = namespace_facts().count("skip_steps", kMaxStep, 0);
    const auto print_freq = namespace_facts().count("print_freq", kMaxStep);
    if (skip_steps && print_freq) {
      if (auto s = checked_mul(*skip_steps, *print_freq)) skip_ = *s;
      skip_text_ = "local_step >= skip_steps " + std::to_string(*skip_steps) + " x print_freq " +
                   std::to_string(*print_freq);
    } else {
      skip_text_ = "every pair (no skip_steps/print_freq in the log)";
    }
  }

  bool in_window(int64_t a, int64_t b) const {
    if (opt_.window_first || opt_.window_last)
      return (!opt_.window_first || a >= *opt_.window_first) &&
             (!opt_.window_last || b <= *opt_.window_last);
    return a >= skip_;
  }

  void emit(std::string_view key, std::string_view level, std::optional<double> epoch,
            std::optional<int64_t> step, std::optional<double> time, const Fields& f,
            std::string_view name) {
    const auto v = field(f, name);
    if (!v) return;
    if (const auto d = value_number(*v)) points_.add(0, key, level, epoch, step, time, *d);
  }

  void eval(const LoggerLine& lg, std::string_view body, int64_t ln) {
    if (!read_fields(body, fields_)) {
      diag_.warning(ln, "malformed [Model_Eval] line",
                    "malformed [Model_Eval] line: " + std::string(body.substr(0, 120)));
      return;
    }
    const auto epoch = count(fields_, "epoch", kMaxEpochs, ln, "malformed [Model_Eval] line");
    if (!epoch) return;
    start();
    if (!process(lg.pid, ln)) return;
    const double ep = static_cast<double>(*epoch);
    if (field(fields_, "eval_acc1_epoch")) {
      // Two summaries per epoch (evaluate() and main()) and one pair per rank, all equal after
      // the all-reduce: the first one of each epoch counts.
      const auto top1 = value_number(*field(fields_, "eval_acc1_epoch"));
      const auto top5 = field(fields_, "eval_acc5_epoch")
                            ? value_number(*field(fields_, "eval_acc5_epoch"))
                            : std::nullopt;
      auto [it, fresh] = epochs_.try_emplace(*epoch);
      core::EpochRecord& rec = it->second;
      rec.epoch = *epoch;
      if (fresh || !rec.top1) {
        rec.top1 = top1;
        rec.top5 = top5;
        rec.time = lg.time;
        if (top1) points_.add(0, "val.top1", "epoch", ep, std::nullopt, lg.time, *top1);
        if (top5) points_.add(0, "val.top5", "epoch", ep, std::nullopt, lg.time, *top5);
      }
      if (auto loss = field(fields_, "eval_loss_epoch"); loss && !loss_epochs_.count(*epoch)) {
        if (const auto d = value_number(*loss)) {
          loss_epochs_[*epoch] = true;
          points_.add(0, "val.loss", "epoch", ep, std::nullopt, lg.time, *d);
        }
      }
      return;
    }
    // Evaluation steps are all-reduced too: one process's lines make the series.
    if (!is_primary(lg.pid)) return;
    const auto step = count(fields_, "local_step", kMaxStep, ln, "malformed [Model_Eval] line");
    if (!step) return;
    emit("val.loss", "val_iter", ep, *step, lg.time, fields_, "loss");
    emit("val.top1", "val_iter", ep, *step, lg.time, fields_, "eval_accuracy_step");
    emit("val.rank_ips", "val_iter", ep, *step, lg.time, fields_, "eval_fps_step");
  }

  void report_start(const LoggerLine& lg, int64_t ln) {
    start();
    if (report_read_ || collecting_) {
      diag_.info(ln, "report", "another Final report (another node's local rank 0?): not used");
      return;
    }
    collecting_ = true;
    report_line_ = ln;
    report_first_line_ = 0;
    report_.clear();
    depth_ = 0;
    in_string_ = escaped_ = false;
    report_time_ = lg.time;
  }

  // json.dumps(indent=4) lines. Other processes' stderr may land between them: only lines that
  // can be part of the JSON text are taken.
  void report_line(std::string_view t, int64_t ln) {
    if (t.empty()) return;
    const char c = t.front();
    const bool json_like = c == '{' || c == '}' || c == '[' || c == ']' || c == '"' || c == '-' ||
                           is_digit(c) || t.starts_with("true") || t.starts_with("false") ||
                           t.starts_with("null");
    if (!json_like || (report_.empty() && c != '{')) return;
    if (report_.empty()) report_first_line_ = ln;
    if (report_.size() + t.size() > kMaxReportBytes) {
      diag_.warning(report_line_, "report", "Final report longer than 64 KiB: not read");
      collecting_ = false;
      return;
    }
    report_.append(t);
    report_ += '\n';
    // Depth of braces and brackets outside strings: 0 again ends the document.
    for (char ch : t) {
      if (in_string_) {
        if (escaped_)
          escaped_ = false;
        else if (ch == '\\')
          escaped_ = true;
        else if (ch == '"')
          in_string_ = false;
        continue;
      }
      if (ch == '"') in_string_ = true;
      if (ch == '{' || ch == '[') ++depth_;
      if (ch == '}' || ch == ']') --depth_;
    }
    if (depth_ > 0) return;
    collecting_ = false;
    std::optional<double> training_time;
    report_read_ = read_enflame_report(report_, report_first_line_, ReportRole::kConsoleEnd, opt_,
                                       run(), diag_, &training_time);
    report_training_time_ = training_time;
    if (report_read_) run().end_time = report_time_;
  }

  void namespace_line(std::string_view t, int64_t ln) {
    if (!ns_.empty()) return;  // printed once, by rank 0
    if (!parse_python_namespace(t, ns_)) {
      diag_.warning(ln, "Namespace", "Namespace(...) line cut or malformed: settings not read");
      return;
    }
    ns_line_ = ln;
    start();
    for (const PythonArg& a : ns_) run().set_param(a.key, a.value);
  }

  void distributed_init(std::string_view t) {
    // "| distributed init (rank:R, world_size:W): env://", one per rank.
    const size_t ws = t.find("world_size:");
    if (ws == std::string_view::npos) return;
    std::string_view rest = t.substr(ws + 11);
    size_t n = 0;
    while (n < rest.size() && is_digit(rest[n])) ++n;
    if (auto w = parse_int(rest.substr(0, n)); w && in_range(*w, 1, kMaxWorldSize))
      init_world_size_ = w;
    ++init_lines_;
  }

  NamespaceFacts namespace_facts() const { return {ns_, ns_line_, diag_}; }

  void facts(core::RunRecord& run) {
    const int64_t processes = static_cast<int64_t>(processes_.size());
    const auto distributed = python_bool(find_arg(ns_, "distributed"));
    if (distributed == false || (!distributed && not_distributed_)) {
      run.world_size.set(
          1, Source::kLog,
          distributed ? "Namespace distributed=False" : "Not using distributed mode");
    } else if (distributed == true) {
      if (auto w = namespace_facts().count("world_size", kMaxWorldSize))
        run.world_size.set(*w, Source::kLog, "Namespace world_size");
    } else if (init_world_size_) {
      run.world_size.set(*init_world_size_, Source::kLog, "| distributed init (... world_size)");
    }
    if (!run.world_size.known() && processes > 0) {
      run.world_size.set(processes, Source::kInferred,
                         std::to_string(processes) + " processes ([T pid]) in the log");
    } else if (run.world_size.known() && processes > 0 && *run.world_size.value != processes) {
      out_.diagnostics.push_back(
          {Severity::kInfo, 0,
           std::to_string(processes) + " processes ([T pid]) in the log of a run with world size " +
               std::to_string(*run.world_size.value) + " (one node's log?)"});
    }
    if (processes > 1) run.set_param("log.processes", std::to_string(processes));
    namespace_facts().set_batch_epochs_precision(run, "Namespace batch_size (per card)");
  }

  void throughput(core::RunRecord& run) {
    auto& d = run.derived;
    if (!step_times_.empty()) {
      d.step_time_p50 = core::percentile_in_place(step_times_, 50);
      d.step_time_p90 = core::percentile_in_place(step_times_, 90);
      d.step_time_p99 = core::percentile_in_place(step_times_, 99);
    }
    int64_t trained = 0, timed = 0, pairs = 0;
    double sum = 0;
    for (const Process& p : processes_) {
      if (!p.trained) continue;
      ++trained;
      if (p.pairs == 0 || !(p.seconds > 0)) continue;
      ++timed;
      pairs += p.pairs;
      sum += p.iterations / p.seconds;
    }
    if (timed == 0) return;
    if (!run.batch_per_device.known()) {
      d.total_ips_definition =
          "NULL: batch size per card unknown (no Namespace or report in the log); pass --set "
          "batch_size=N";
      return;
    }
    if (timed < trained) {
      d.total_ips_definition = "NULL: " + std::to_string(trained - timed) + " of " +
                               std::to_string(trained) +
                               " processes have no timed pair of [Model_Train] lines";
      return;
    }
    if (run.world_size.known() && *run.world_size.value != trained) {
      d.total_ips_definition = "NULL: the log shows " + std::to_string(trained) +
                               " training processes of a run with world size " +
                               std::to_string(*run.world_size.value);
      return;
    }
    const int64_t batch = *run.batch_per_device.value;
    d.total_ips = static_cast<double>(batch) * sum;
    d.total_ips_definition =
        "sum over " + std::to_string(trained) + " process(es) ([T pid]) of batch_size " +
        std::to_string(batch) +
        " x iterations / seconds between consecutive [Model_Train] lines of the same epoch (" +
        std::to_string(pairs) + " pairs, " + skip_text_ + "), timestamps of the logger lines (ms)";
  }

  core::ParsedFile& out_;
  core::MetricSink& points_;
  DiagnosticLog& diag_;
  const core::DeriveOptions& opt_;
  bool started_ = false;
  Fields fields_;

  // Processes.
  std::vector<Process> processes_;
  std::unordered_map<int64_t, size_t> process_index_;
  std::optional<int64_t> primary_;

  // Settings.
  std::vector<PythonArg> ns_;
  int64_t ns_line_ = 0;
  bool not_distributed_ = false;
  std::optional<int64_t> init_world_size_;
  int64_t init_lines_ = 0;

  // Epochs.
  std::set<int64_t> train_epochs_;
  std::map<int64_t, core::EpochRecord> epochs_;
  std::map<int64_t, bool> loss_epochs_;

  // Throughput.
  bool window_fixed_ = false;
  int64_t skip_ = 0;
  std::string skip_text_;
  std::vector<double> step_times_;

  // Final report.
  bool collecting_ = false, report_read_ = false;
  int64_t report_line_ = 0, report_first_line_ = 0;
  std::string report_;
  int depth_ = 0;
  bool in_string_ = false, escaped_ = false;
  std::optional<double> report_training_time_, report_time_;
};

class EnflameConsoleParser final : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "Enflame TopsModels train.py console log ('<time>: D [M APP] [T <pid>] train.py:<n> : "
           "[Model_Train] ...', Final report)";
  }

  int sniff(std::string_view head) const override {
    if (head.find(kMarker) == std::string_view::npos || !looks_like_text(head)) return 0;
    LineReader lines(head);
    std::string_view line;
    int logger = 0;
    while (lines.next(line) && lines.line_number() < 20000) {
      LoggerLine lg;
      if (!read_logger_line(line, lg)) continue;
      ++logger;
      if (lg.message.starts_with("[Model_Train] ") || lg.message.starts_with("[Model_Eval] ") ||
          lg.message.starts_with("Final report:"))
        return 90;
    }
    return logger > 0 ? 40 : 0;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override {
    parse_lines<ConsoleRun>(kName, kVersion, in, out, points, opt);
  }
};

}  // namespace

std::unique_ptr<Parser> make_enflame_console_parser() {
  return std::make_unique<EnflameConsoleParser>();
}

}  // namespace rn50::parsers
