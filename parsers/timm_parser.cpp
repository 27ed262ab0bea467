// timm (pytorch-image-models) train.py outputs (docs/formats/timm.md), one format for its two
// files:
//  * summary.csv (timm/utils/summary.py update_summary): `epoch,train_loss,eval_loss,eval_top1,
//    eval_top5[,lr]`, one row per epoch, appended (a resumed run may repeat epochs: the last row
//    of an epoch counts);
//  * the console (train.py train_one_epoch / validate, logged on rank 0 only):
//      Train: 3 [ 100/1251 (  8%)]  Loss: 6.123 (6.20)  Time: 0.412s,  621.36/s  (0.420s, ...)
//      Test: [  48/48]  Time: 0.120 (0.130)  Loss: 0.8765 (0.9020)  Acc@1: 78.1250 (78.0700) ...
// Neither file states a throughput of the run (docs/definitions.md). args.yaml beside the CSV adds
// batch size, epochs and model: parsers/timm_args.h, applied by ingest.
#include <algorithm>
#include <cmath>
#include <map>
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

constexpr std::string_view kName = "timm";
constexpr std::string_view kVersion = "1";
constexpr size_t kMaxColumns = 256;
constexpr size_t kMaxColumnSets = 256;  // headers with other columns in one file

bool is_column_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'))
      return false;
  return true;
}

// The summary.csv header: "epoch," and then column names.
bool read_header(std::string_view line, std::vector<std::string>& columns) {
  columns.clear();
  if (!line.starts_with("epoch,")) return false;
  while (!line.empty()) {
    const size_t comma = line.find(',');
    const std::string_view name = line.substr(0, comma);
    if (!is_column_name(name) || columns.size() >= kMaxColumns) return false;
    columns.emplace_back(name);
    line = comma == std::string_view::npos ? std::string_view() : line.substr(comma + 1);
    if (comma != std::string_view::npos && line.empty()) return false;
  }
  return columns.size() >= 2;
}

// summary.csv column -> metric key: train_<k> -> train.<k>, eval_<k> -> val.<k>, lr -> train.lr.
std::string column_key(std::string_view c) {
  if (c == "lr") return "train.lr";
  if (c.starts_with("train_")) return "train." + std::string(c.substr(6));
  if (c.starts_with("eval_")) return "val." + std::string(c.substr(5));
  return std::string(c);
}

// ---- console ----------------------------------------------------------------------------------

// The number at the start of `s` (after spaces), `s` advanced past it.
std::optional<double> number(std::string_view& s) {
  s = trim_left(s);
  size_t n = 0;
  while (n < s.size() &&
         (is_digit(s[n]) || s[n] == '.' || s[n] == '-' || s[n] == '+' || s[n] == 'e' ||
          s[n] == 'E' || s[n] == 'n' || s[n] == 'a' || s[n] == 'i' || s[n] == 'f'))
    ++n;
  const auto v = parse_double(s.substr(0, n));
  if (v) s.remove_prefix(n);
  return v;
}

bool eat(std::string_view& s, std::string_view token) {
  s = trim_left(s);
  if (!s.starts_with(token)) return false;
  s.remove_prefix(token.size());
  return true;
}

// "Label: v (avg)" somewhere after the cursor.
bool labelled_pair(std::string_view& s, std::string_view label, std::optional<double>& v,
                   std::optional<double>& avg) {
  const size_t at = s.find(label);
  if (at == std::string_view::npos) return false;
  s.remove_prefix(at + label.size());
  v = number(s);
  if (!v || !eat(s, "(")) return false;
  avg = number(s);
  return avg.has_value() && eat(s, ")");
}

struct TrainLine {
  int64_t epoch = 0, index = 0, total = 0;
  std::optional<double> loss, loss_avg, batch_time, rate, lr, data;
};

bool read_uint(std::string_view& s, int64_t& out) {
  s = trim_left(s);
  size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  const auto v = parse_int(s.substr(0, n));
  if (!v || *v > kMaxStep) return false;
  out = *v;
  s.remove_prefix(n);
  return true;
}

// "Train: E [ I/N ( P%)]  Loss: v (avg)  Time: t s,  rate/s  (t s,  rate/s)  LR: x  Data: d (avg)"
bool read_train(std::string_view s, TrainLine& t) {
  if (!eat(s, "Train:") || !read_uint(s, t.epoch) || t.epoch > kMaxEpochs || !eat(s, "[") ||
      !read_uint(s, t.index) || !eat(s, "/") || !read_uint(s, t.total) || !eat(s, "(") ||
      !number(s) || !eat(s, "%)]"))
    return false;
  if (!labelled_pair(s, "Loss:", t.loss, t.loss_avg)) return false;
  if (!eat(s, "Time:")) return false;
  t.batch_time = number(s);
  if (!t.batch_time || !eat(s, "s,")) return false;
  t.rate = number(s);
  if (!t.rate || !eat(s, "/s")) return false;
  if (const size_t lr = s.find("LR:"); lr != std::string_view::npos) {
    s.remove_prefix(lr + 3);
    t.lr = number(s);
  }
  if (const size_t d = s.find("Data:"); d != std::string_view::npos) {
    s.remove_prefix(d + 5);
    t.data = number(s);
  }
  return true;
}

struct TestLine {
  bool ema = false;
  int64_t index = 0, last = 0;
  std::optional<double> time, time_avg, loss, loss_avg, top1, top1_avg, top5, top5_avg;
};

// "Test: [ I/L]  Time: v (avg)  Loss: v (avg)  Acc@1: v (avg)  Acc@5: v (avg)"; "Test (EMA): [".
bool read_test(std::string_view s, TestLine& t) {
  if (!eat(s, "Test")) return false;
  if (eat(s, "(EMA)")) t.ema = true;
  if (!eat(s, ":") || !eat(s, "[") || !read_uint(s, t.index) || !eat(s, "/") ||
      !read_uint(s, t.last) || !eat(s, "]"))
    return false;
  return labelled_pair(s, "Time:", t.time, t.time_avg) &&
         labelled_pair(s, "Loss:", t.loss, t.loss_avg) &&
         labelled_pair(s, "Acc@1:", t.top1, t.top1_avg) &&
         labelled_pair(s, "Acc@5:", t.top5, t.top5_avg);
}

struct EpochResult {
  std::optional<double> top1, top5, loss, ema_top1, ema_top5, ema_loss;
  std::optional<double> train_loss, lr;
};

class TimmRun {
 public:
  TimmRun(core::ParsedFile& out, core::MetricSink& points, DiagnosticLog& diag,
          const core::DeriveOptions& opt)
      : out_(out), points_(points), diag_(diag), opt_(opt) {}

  void line(std::string_view raw, int64_t ln) {
    const std::string_view t = trim(raw);
    if (t.empty()) return;
    if (mode_ == Mode::kUnknown) mode_ = read_header(t, columns_) ? Mode::kCsv : Mode::kConsole;
    if (mode_ == Mode::kCsv) return csv(t, ln);
    console(t, ln);
  }

  void finish() {
    if (!started_) {
      out_.diagnostics.push_back(
          {Severity::kError, 0,
           "no timm summary.csv rows ('epoch,train_loss,...') or train.py lines ('Train: E "
           "[I/N ...]', 'Test: [I/N] ...') found"});
      return;
    }
    core::RunRecord& run = out_.runs[0];
    run.set_param("log.kind", mode_ == Mode::kCsv ? "summary.csv" : "console");
    if (mode_ == Mode::kCsv)
      finish_csv(run);
    else
      finish_console(run);
    run.derived.total_ips_definition =
        mode_ == Mode::kCsv
            ? "NULL: timm's summary.csv has no time, so no throughput"
            : "NULL: timm's console rates are per logged batch or since the epoch's start "
              "(warm-up included), never a steady-window sum: no throughput";
    core::apply_user_facts(run, opt_);
    core::derive_common(run, opt_);
  }

 private:
  enum class Mode { kUnknown, kCsv, kConsole };

  void start() {
    if (started_) return;
    core::RunRecord r;
    r.source_format = std::string(kName);
    r.status = core::RunStatus::kIncomplete;
    out_.runs.push_back(std::move(r));
    started_ = true;
  }

  void add(std::string_view key, std::string_view level, std::optional<double> epoch,
           std::optional<int64_t> step, std::optional<double> v) {
    if (v && std::isfinite(*v)) points_.add(0, key, level, epoch, step, std::nullopt, *v);
  }

  // ---- summary.csv ----

  void csv(std::string_view t, int64_t ln) {
    if (t.starts_with("epoch,")) {
      std::vector<std::string> columns;
      if (!read_header(t, columns)) {
        diag_.warning(ln, "malformed row", "malformed header: " + std::string(t.substr(0, 120)));
      } else if (columns != columns_) {
        // A restart without the saver's state writes the header again; another set of columns
        // is another configuration of the same run.
        diag_.warning(ln, "header", "the columns change here: " + std::string(t.substr(0, 120)));
        columns_ = std::move(columns);
      }
      start();
      return;
    }
    values_.clear();
    std::string_view s = t;
    bool ok = true;
    while (ok) {
      const size_t comma = s.find(',');
      const auto v = parse_double(trim(s.substr(0, comma)));
      ok = v.has_value();
      if (ok) values_.push_back(*v);
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
    std::string why;
    std::optional<int64_t> epoch;
    if (ok && values_.size() == columns_.size()) epoch = to_int64(values_[0], &why, 0, kMaxEpochs);
    if (!epoch) {
      diag_.warning(ln, "malformed row",
                    "malformed row (" + std::to_string(columns_.size()) + " numbers expected" +
                        (why.empty() ? std::string() : ", epoch " + why) +
                        "): " + std::string(t.substr(0, 120)));
      return;
    }
    if (column_sets_.empty() || column_sets_.back() != columns_) {
      if (column_sets_.size() >= kMaxColumnSets) {
        diag_.warning(ln, "malformed row", "too many different headers: row not read");
        return;
      }
      column_sets_.push_back(columns_);
    }
    start();
    // A resumed run appends the epochs it repeats: the last row of an epoch counts.
    Row& row = rows_[*epoch];
    row.columns = column_sets_.size() - 1;
    row.values.assign(values_.begin() + 1, values_.end());
  }

  void finish_csv(core::RunRecord& run) {
    for (const auto& [e, row] : rows_) {
      core::EpochRecord rec;
      rec.epoch = e;
      const std::vector<std::string>& columns = column_sets_[row.columns];
      for (size_t i = 0; i < row.values.size(); ++i) {
        const std::string& column = columns[i + 1];
        const double v = row.values[i];
        if (!std::isfinite(v)) continue;
        if (column == "train_loss") rec.train_loss = v;
        if (column == "eval_top1") rec.top1 = v;
        if (column == "eval_top5") rec.top5 = v;
        if (column == "lr") rec.lr = v;
        add(stored_text(column_key(column), TextKind::kKey), "epoch", static_cast<double>(e),
            std::nullopt, v);
      }
      run.epochs.push_back(rec);
    }
    run.epochs_completed = static_cast<int64_t>(rows_.size());
  }

  // ---- console ----

  void console(std::string_view t, int64_t ln) {
    if (t.starts_with("Train:")) {
      TrainLine tl;
      if (!read_train(t, tl)) return malformed(t, ln);
      start();
      epoch_ = tl.epoch;
      const double ep = static_cast<double>(tl.epoch);
      add("train.loss", "iter", ep, tl.index, tl.loss);
      add("train.batch_time", "iter", ep, tl.index, tl.batch_time);
      add("train.total_ips", "iter", ep, tl.index, tl.rate);
      add("train.lr", "iter", ep, tl.index, tl.lr);
      add("train.data_time", "iter", ep, tl.index, tl.data);
      EpochResult& r = results_[tl.epoch];
      if (tl.loss_avg) r.train_loss = tl.loss_avg;  // the epoch's running mean so far
      if (tl.lr) r.lr = tl.lr;
      return;
    }
    if (t.starts_with("Test:") || t.starts_with("Test (EMA):")) {
      TestLine tl;
      if (!read_test(t, tl)) return malformed(t, ln);
      start();
      const double ep = static_cast<double>(epoch_);
      const std::string prefix = tl.ema ? "val_ema." : "val.";
      add(prefix + "loss", "val_iter", ep, tl.index, tl.loss);
      add(prefix + "top1", "val_iter", ep, tl.index, tl.top1);
      add(prefix + "top5", "val_iter", ep, tl.index, tl.top5);
      add(prefix + "batch_time", "val_iter", ep, tl.index, tl.time);
      if (tl.index == tl.last) {
        // The epoch's result is the running mean on its last batch.
        EpochResult& r = results_[epoch_];
        (tl.ema ? r.ema_top1 : r.top1) = tl.top1_avg;
        (tl.ema ? r.ema_top5 : r.top5) = tl.top5_avg;
        (tl.ema ? r.ema_loss : r.loss) = tl.loss_avg;
      }
      return;
    }
    if (t.starts_with("Scheduled epochs: ")) {
      std::string_view s = t.substr(18);
      int64_t n = 0;
      if (read_uint(s, n) && n >= 1 && n <= kMaxEpochs) scheduled_ = n;
      start();
      return;
    }
    if (t.starts_with("*** Best metric: ")) {
      start();
      best_line_ = true;
      out_.runs[0].set_param("log.best_metric", stored_text(t.substr(17), TextKind::kValue));
      return;
    }
    if (t.starts_with("Model ") && t.find(" created, param count:") != std::string_view::npos) {
      start();
      const size_t created = t.find(" created, param count:");
      out_.runs[0].set_param("model", stored_text(t.substr(6, created - 6), TextKind::kValue));
      out_.runs[0].set_param("param_count",
                             stored_text(trim(t.substr(created + 22)), TextKind::kValue));
      return;
    }
    if (t.starts_with("Training in distributed mode")) {
      // "... Process 0, total 8, device cuda:0." (and older "... Process 0, total 8."), one per
      // process.
      const size_t total = t.find("total ");
      if (total == std::string_view::npos) return;
      std::string_view s = t.substr(total + 6);
      int64_t n = 0;
      if (read_uint(s, n) && n >= 1 && n <= kMaxWorldSize) world_ = n;
      start();
      return;
    }
    if (t.starts_with("Training with a single process on 1 ")) {
      world_ = 1;
      start();
      return;
    }
    if (t.starts_with("Using native Torch AMP") || t.starts_with("Using NVIDIA APEX AMP")) {
      precision_ = "amp";
      precision_detail_ = std::string(t.substr(0, t.find('.')));
      return;
    }
    if (t.starts_with("AMP not enabled. Training in float32")) {
      precision_ = "fp32";
      precision_detail_ = "AMP not enabled. Training in float32.";
    }
  }

  void malformed(std::string_view t, int64_t ln) {
    diag_.warning(ln, "malformed progress line",
                  "malformed timm line: " + std::string(t.substr(0, 160)));
  }

  void finish_console(core::RunRecord& run) {
    int64_t completed = 0, last_done = -1;
    for (const auto& [e, r] : results_) {
      const auto top1 = r.ema_top1 ? r.ema_top1 : r.top1;
      const auto top5 = r.ema_top1 ? r.ema_top5 : r.top5;
      const double ep = static_cast<double>(e);
      add("val.top1", "epoch", ep, std::nullopt, r.top1);
      add("val.top5", "epoch", ep, std::nullopt, r.top5);
      add("val.loss", "epoch", ep, std::nullopt, r.loss);
      add("val_ema.top1", "epoch", ep, std::nullopt, r.ema_top1);
      add("val_ema.top5", "epoch", ep, std::nullopt, r.ema_top5);
      add("val_ema.loss", "epoch", ep, std::nullopt, r.ema_loss);
      add("train.loss", "epoch", ep, std::nullopt, r.train_loss);
      if (!top1) continue;  // not evaluated (interrupted in this epoch)
      ++completed;
      last_done = e;
      core::EpochRecord rec;
      rec.epoch = e;
      rec.top1 = top1;
      rec.top5 = top5;
      rec.train_loss = r.train_loss;
      rec.lr = r.lr;
      run.epochs.push_back(rec);
    }
    run.epochs_completed = completed;
    if (world_)
      run.world_size.set(*world_, Source::kLog,
                         *world_ == 1 ? "Training with a single process"
                                      : "Training in distributed mode ... total N");
    if (scheduled_) run.epochs_planned.set(*scheduled_, Source::kLog, "Scheduled epochs");
    if (!precision_.empty())
      run.precision.set(precision_, precision_ == "amp" ? Source::kLog : Source::kInferred,
                        precision_detail_);
    // "*** Best metric" is printed at the end, and also after Ctrl-C: finished only when the
    // scheduled epochs all have their result.
    if (best_line_ && scheduled_ && last_done == *scheduled_ - 1)
      run.status = core::RunStatus::kFinished;
  }

  core::ParsedFile& out_;
  core::MetricSink& points_;
  DiagnosticLog& diag_;
  const core::DeriveOptions& opt_;
  bool started_ = false;
  Mode mode_ = Mode::kUnknown;

  // summary.csv
  std::vector<std::string> columns_;
  std::vector<double> values_;
  struct Row {
    size_t columns = 0;          // index in column_sets_ (a header may change mid-file)
    std::vector<double> values;  // without the epoch
  };
  std::vector<std::vector<std::string>> column_sets_;
  std::map<int64_t, Row> rows_;

  // console
  bool best_line_ = false;
  int64_t epoch_ = 0;
  std::map<int64_t, EpochResult> results_;
  std::optional<int64_t> scheduled_, world_;
  std::string precision_, precision_detail_;
};

class TimmParser final : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "timm (pytorch-image-models) train.py: summary.csv, or its console (Train: E [I/N ...] "
           "Loss: ... Test: [I/N] ... Acc@1: ...)";
  }

  int sniff(std::string_view head) const override {
    if (!looks_like_text(head)) return 0;
    LineReader lines(head);
    std::string_view raw;
    std::vector<std::string> columns;
    int console = 0;
    bool first = true;
    while (lines.next(raw) && lines.line_number() < 20000 && console < 2) {
      const std::string_view t = trim(raw);
      if (t.empty()) continue;
      if (first) {
        first = false;
        // summary.csv: the header, with train_/eval_ columns, then a row of numbers.
        if (read_header(t, columns)) {
          const bool timm_columns =
              std::any_of(columns.begin() + 1, columns.end(), [](const std::string& c) {
                return c.starts_with("train_") || c.starts_with("eval_");
              });
          std::string_view row;
          if (!timm_columns) return 0;
          if (!lines.next(row)) return 60;  // a header alone
          const std::string_view r = trim(row);
          return r.empty() || is_digit(r.front()) ? 90 : 0;
        }
      }
      TrainLine tl;
      TestLine te;
      if ((t.starts_with("Train:") && read_train(t, tl)) ||
          ((t.starts_with("Test:") || t.starts_with("Test (EMA):")) && read_test(t, te)))
        ++console;
    }
    return console > 0 ? 85 + 5 * console : 0;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override {
    parse_lines<TimmRun>(kName, kVersion, in, out, points, opt);
  }
};

}  // namespace

std::unique_ptr<Parser> make_timm_parser() { return std::make_unique<TimmParser>(); }

}  // namespace rn50::parsers
