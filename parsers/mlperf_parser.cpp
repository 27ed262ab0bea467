// MLPerf Training result files (docs/formats/mlperf.md):
//   :::MLLOG {"namespace": ..., "time_ms": ..., "event_type": ..., "key": ..., "value": ...,
//   "metadata": {...}}
//   :::MLL <unix seconds> <key>: {"value": ..., "metadata": {...}}      (v0.6)
// Like the official summarizer: anything before the token is dropped, only time_ms/key/value/
// metadata are required, the FIRST run_start and FIRST run_stop define the run.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "parsers/diagnostic_log.h"
#include "parsers/json_scan.h"
#include "parsers/numbers.h"
#include "parsers/parser.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

using core::Diagnostic;
using core::Severity;
using core::Source;

constexpr std::string_view kName = "mlperf";
constexpr std::string_view kVersion = "2";
constexpr std::string_view kTokenMllog = ":::MLLOG";
constexpr std::string_view kTokenMll = ":::MLL ";
constexpr std::string_view kTokenV05 = ":::MLPv0.5";
constexpr int kMaxDiagnosticsPerKind = 20;

struct Record {
  std::string_view key;        // as written (JSON string content, or the v0.6 bare word)
  bool key_escaped = false;    // the JSON string holds escapes
  std::optional<double> time;  // unix seconds; nullopt for time_ms 0 (Google submission lines)
  std::string_view value;      // raw JSON
  std::string_view metadata;   // raw JSON object ("{}" when absent)
  int64_t line = 0;
};

// Keys that are series or markers, never hyper-parameters.
bool is_series_key(std::string_view k) {
  static const std::set<std::string_view> kSeries = {
      "eval_accuracy",       "throughput", "tracked_stats", "weights_initialization",
      "cache_clear",         "run_start",  "run_stop",      "run_final",
      "init_start",          "init_stop",  "block_start",   "block_stop",
      "epoch_start",         "epoch_stop", "eval_start",    "eval_stop",
      "model_hp_shorcut_add"};
  return kSeries.count(k) > 0;
}

// Leading "<N>x" of submission_platform ("4xNVIDIA DGX A100") is the node count.
std::optional<int64_t> nodes_from_platform(std::string_view platform) {
  size_t i = 0;
  while (i < platform.size() && platform[i] >= '0' && platform[i] <= '9') ++i;
  if (i == 0 || i >= platform.size() || platform[i] != 'x') return std::nullopt;
  const auto n = parse_int(platform.substr(0, i));
  if (!n || !in_range(*n, 1, kMaxWorldSize)) return std::nullopt;
  return n;
}

// Reads one :::MLLOG record; false with `why` set when the JSON or a required field is bad.
bool read_mllog(std::string_view json_text, std::vector<json::Member>& members, Record& r,
                std::string& why) {
  json_text = trim(json_text);
  if (!json::object_members(json_text, members, &why)) return false;
  bool have_time = false, have_key = false, have_value = false, have_meta = false;
  for (const auto& m : members) {
    const std::string_view name = m.key.content();
    if (name == "time_ms") {
      const auto t = json::number(m.value);
      if (!t || !std::isfinite(*t)) {
        why = "time_ms is not a number";
        return false;
      }
      have_time = true;
      if (*t != 0) r.time = *t / 1000.0;
    } else if (name == "key") {
      if (m.value.kind != json::Kind::kString) {
        why = "key is not a string";
        return false;
      }
      r.key = m.value.content();
      r.key_escaped = m.value.escaped;
      have_key = true;
    } else if (name == "value") {
      r.value = m.value.text;
      have_value = true;
    } else if (name == "metadata") {
      if (m.value.kind != json::Kind::kObject) {
        why = "metadata is not an object";
        return false;
      }
      r.metadata = m.value.text;
      have_meta = true;
    }
  }
  if (!have_time || !have_key || !have_value || !have_meta) {
    why = std::string("missing ") + (!have_time    ? "time_ms"
                                     : !have_key   ? "key"
                                     : !have_value ? "value"
                                                   : "metadata");
    return false;
  }
  return true;
}

// v0.6: "<seconds> <key>: {json with value and metadata}".
bool read_mll(std::string_view rest, std::vector<json::Member>& members, Record& r,
              std::string& why) {
  rest = trim_left(rest);
  const std::string_view ts = next_token(rest);
  const auto t = parse_double(ts);
  if (!t || !std::isfinite(*t)) {
    why = "timestamp is not a number";
    return false;
  }
  rest = trim_left(rest);
  size_t k = 0;
  while (k < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[k])) || rest[k] == '_'))
    ++k;
  if (k == 0) {
    why = "missing key";
    return false;
  }
  r.key = rest.substr(0, k);
  rest = rest.substr(k);
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest.front() != ':') {
    why = "missing ':' after key";
    return false;
  }
  rest = trim(rest.substr(1));
  if (!json::object_members(rest, members, &why)) return false;
  r.time = *t;
  r.value = "null";
  r.metadata = "{}";
  for (const auto& m : members) {
    if (m.key.content() == "value")
      r.value = m.value.text;
    else if (m.key.content() == "metadata" && m.value.kind == json::Kind::kObject)
      r.metadata = m.value.text;
  }
  return true;
}

// An MLPerf epoch number (possibly fractional) as the index of its epoch record.
std::optional<int64_t> epoch_slot(double epoch) {
  return to_int64(std::round(epoch), nullptr, -kMaxEpochs, kMaxEpochs);
}

class MlperfParser : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "MLPerf Training result file (:::MLLOG JSON lines; v0.6 :::MLL)";
  }

  int sniff(std::string_view head) const override {
    // Every token below starts with ":::ML"; one memmem over the head settles most files.
    if (head.find(":::ML") == std::string_view::npos || !looks_like_text(head)) return 0;
    LineReader lines(head);
    std::string_view line;
    std::vector<json::Member> members;
    int good = 0, v05 = 0;
    while (lines.next(line) && good < 3) {
      Record r;
      std::string why;
      if (size_t p = line.rfind(kTokenMllog); p != std::string_view::npos) {
        if (read_mllog(line.substr(p + kTokenMllog.size()), members, r, why)) ++good;
      } else if (size_t q = line.rfind(kTokenMll); q != std::string_view::npos) {
        if (read_mll(line.substr(q + kTokenMll.size()), members, r, why)) ++good;
      } else if (line.find(kTokenV05) != std::string_view::npos) {
        ++v05;
      }
    }
    if (good > 0) return 85 + 3 * good;
    return v05 > 0 ? 40 : 0;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override;
};

// The run as the records arrive: events, facts, metric points to the sink; per-epoch state only.
class MlperfRun {
 public:
  MlperfRun(core::ParsedFile& out, core::MetricSink& points, DiagnosticLog& diag)
      : out_(out), points_(points), diag_(diag) {}

  bool started() const { return started_; }

  void record(const Record& r) {
    if (!started_) {
      core::RunRecord run;
      run.source_format = std::string(kName);
      out_.runs.push_back(std::move(run));
      started_ = true;
    }
    core::RunRecord& run = out_.runs[0];
    std::string why;
    if (!json::object_members(r.metadata, meta_, &why)) meta_.clear();
    std::optional<double> epoch = meta_number("epoch_num");
    if (!epoch) epoch = meta_number("first_epoch_num");
    if (epoch && !epoch_slot(*epoch)) {
      diag_.warning(r.line, "epoch_num",
                    "metadata.epoch_num " + format_double(*epoch) + " is not an epoch: ignored");
      epoch.reset();
    }
    const std::string key = json::stored_string(r.key, r.key_escaped, TextKind::kKey);

    core::Event ev;
    ev.key = key;
    ev.time = r.time;
    ev.epoch = epoch;
    ev.value_json = to_utf8(r.value);
    ev.metadata_json = to_utf8(r.metadata);
    run.events.push_back(std::move(ev));

    const std::string_view k = key;
    if (k == "run_start") {
      if (!run.start_time) run.start_time = r.time;
    } else if (k == "run_stop") {
      if (!run.end_time && !stop_status_) {
        run.end_time = r.time;
        stop_status_ = meta_string("status").value_or("");
      }
    } else if (k == "epoch_start" || k == "epoch_stop") {
      if (epoch && r.time) {
        auto [it, fresh] = epoch_interval_.try_emplace(*epoch, NAN, NAN);
        double& slot = k == "epoch_start" ? it->second.first : it->second.second;
        if (std::isnan(slot)) slot = *r.time;
        current_epoch_ = epoch;
        if (k == "epoch_stop") {
          max_epoch_ = std::max(max_epoch_, *epoch);
          any_epoch_ = true;
        }
      }
    } else if (k == "eval_accuracy") {
      const auto v = value_number(r.value);
      if (!v || !std::isfinite(*v) || !epoch) {
        diag_.warning(r.line, "eval_accuracy",
                      "eval_accuracy without a finite numeric value or metadata.epoch_num: "
                      "ignored");
        return;
      }
      const double pct = *v * 100.0;
      points_.add(0, "val.top1", "eval", epoch, std::nullopt, r.time, pct);
      const int64_t e = *epoch_slot(*epoch);
      if (std::fabs(*epoch - static_cast<double>(e)) > 1e-9)
        diag_.info(r.line, "fractional epoch",
                   "eval_accuracy at fractional epoch " + std::to_string(*epoch) +
                       ": epoch record " + std::to_string(e));
      auto& rec = epoch_record(e);
      if (!rec.top1) {  // several ranks may log the same evaluation
        rec.top1 = pct;
        rec.time = r.time;
      }
      max_epoch_ = std::max(max_epoch_, *epoch);
      any_epoch_ = true;
    } else if (k == "throughput") {
      if (auto v = value_number(r.value))
        add_throughput(epoch ? epoch : current_epoch_, *v, r.time);
    } else if (k == "tracked_stats") {
      std::vector<json::Member> val;
      std::optional<double> v;
      if (json::object_members(r.value, val)) {
        if (const json::Value* x = json::find(val, "imgs_sec")) v = json::number(*x);
        if (!v)
          if (const json::Value* x = json::find(val, "throughput")) v = json::number(*x);
      }
      std::optional<double> step = meta_number("step");
      if (step && !epoch_slot(*step)) step.reset();
      if (v) add_throughput(step ? step : current_epoch_, *v, r.time);
    } else if (!is_series_key(k) && !run.find_param(k)) {
      // Hyper-parameters and submission_* facts, first occurrence wins.
      json::Value value;
      json::Scanner sc(r.value);
      const bool is_string = sc.value(value) && value.kind == json::Kind::kString;
      std::string text = is_string ? json::stored_string(value, TextKind::kValue)
                                   : stored_text(r.value, TextKind::kValue);
      if (k == "train_samples") {
        train_samples_ = parse_int(text);
        if (train_samples_ && *train_samples_ <= 0) train_samples_.reset();
      }
      if (k == "global_batch_size") {
        std::string bad;
        if (auto gb = parse_int(text); gb && in_range(*gb, 1, kMaxBatch, &bad))
          run.global_batch.set(*gb, Source::kLog, "global_batch_size");
        else
          diag_.warning(r.line, "global_batch_size",
                        "global_batch_size " + text + ": " +
                            (bad.empty() ? std::string("not an integer") : bad) +
                            ": not used as a fact");
      }
      if (k == "submission_platform") {
        if (auto n = nodes_from_platform(text))
          run.nodes.set(*n, Source::kInferred, "submission_platform '" + text + "'");
      }
      run.set_param(key, std::move(text));
    }
  }

  void finish(const core::DeriveOptions& opt) {
    core::RunRecord& run = out_.runs[0];
    for (auto& [e, rec] : epochs_) run.epochs.push_back(rec);
    if (any_epoch_) run.epochs_completed = static_cast<int64_t>(std::floor(max_epoch_ + 1e-9));

    if (!stop_status_) {
      run.status = core::RunStatus::kIncomplete;
    } else if (*stop_status_ == "success") {
      run.status = core::RunStatus::kFinished;
    } else if (*stop_status_ == "aborted") {
      run.status = core::RunStatus::kAborted;
    } else {
      run.status = core::RunStatus::kFailed;
    }
    if (stop_status_) run.set_param("run_stop.status", *stop_status_);

    core::apply_user_facts(run, opt);

    // Throughput: epoch intervals when the log has them, else the benchmark's own per-epoch
    // values.
    auto& d = run.derived;
    double seconds = 0;
    int64_t timed_epochs = 0;
    for (const auto& [e, iv] : epoch_interval_) {
      if (std::isnan(iv.first) || std::isnan(iv.second) || iv.second <= iv.first) continue;
      seconds += iv.second - iv.first;
      ++timed_epochs;
    }
    if (train_samples_ && timed_epochs > 0 && seconds > 0) {
      d.total_ips =
          static_cast<double>(*train_samples_) * static_cast<double>(timed_epochs) / seconds;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f", seconds);
      d.total_ips_definition = "train_samples " + std::to_string(*train_samples_) + " x " +
                               std::to_string(timed_epochs) +
                               " epochs / sum of epoch_start..epoch_stop intervals (" + buf +
                               " s); excludes evaluation";
    } else if (!throughputs_.empty()) {
      double inv = 0;
      for (double v : throughputs_) inv += 1.0 / v;
      d.total_ips = static_cast<double>(throughputs_.size()) / inv;
      d.total_ips_definition = "harmonic mean of " + std::to_string(throughputs_.size()) +
                               " per-epoch throughput values logged by the benchmark";
    }
    core::derive_common(run, opt);
  }

 private:
  std::optional<double> meta_number(std::string_view name) const {
    const json::Value* v = json::find(meta_, name);
    return v ? json::number(*v) : std::nullopt;
  }
  std::optional<std::string> meta_string(std::string_view name) const {
    const json::Value* v = json::find(meta_, name);
    if (!v || v->kind != json::Kind::kString) return std::nullopt;
    return json::stored_string(*v, TextKind::kValue);
  }
  static std::optional<double> value_number(std::string_view raw) {
    json::Scanner sc(raw);
    json::Value v;
    if (!sc.value(v)) return std::nullopt;
    return json::number(v);
  }

  core::EpochRecord& epoch_record(int64_t e) {
    auto& rec = epochs_[e];
    rec.epoch = e;
    return rec;
  }

  void add_throughput(std::optional<double> epoch, double v, std::optional<double> t) {
    if (!epoch || !std::isfinite(v) || v <= 0) return;
    const auto e = epoch_slot(*epoch);
    if (!e) return;
    if (!throughput_epochs_.insert(*e).second) return;  // tracked_stats and throughput repeat it
    epoch_record(*e).total_ips = v;
    throughputs_.push_back(v);
    points_.add(0, "train.total_ips", "epoch", *epoch, std::nullopt, t, v);
  }

  core::ParsedFile& out_;
  core::MetricSink& points_;
  DiagnosticLog& diag_;
  bool started_ = false;
  std::vector<json::Member> meta_;
  std::optional<std::string> stop_status_;
  std::map<double, std::pair<double, double>> epoch_interval_;  // epoch -> (start, stop)
  std::optional<int64_t> train_samples_;
  std::optional<double> current_epoch_;
  std::map<int64_t, core::EpochRecord> epochs_;
  std::set<int64_t> throughput_epochs_;
  std::vector<double> throughputs_;
  double max_epoch_ = 0;
  bool any_epoch_ = false;
};

void MlperfParser::parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
                         const core::DeriveOptions& opt) const {
  out.format = std::string(kName);
  out.parser_version = std::string(kVersion);
  DiagnosticLog diag(out.diagnostics, kMaxDiagnosticsPerKind);
  MlperfRun run(out, points, diag);
  std::vector<json::Member> members;
  int64_t v05_lines = 0;
  std::string_view line;
  while (in.next_line(line)) {
    // Most lines of a result file are framework noise: one substring search rules them out.
    const size_t p = line.rfind(":::ML");
    if (p == std::string_view::npos) continue;
    const std::string_view at = trim_right(line.substr(p));
    Record r;
    r.line = in.line_number();
    std::string why;
    bool ok;
    if (at.starts_with(kTokenMllog)) {
      ok = read_mllog(at.substr(kTokenMllog.size()), members, r, why);
    } else if (at.starts_with(kTokenMll)) {
      ok = read_mll(at.substr(kTokenMll.size()), members, r, why);
    } else if (at.starts_with(kTokenV05)) {
      ++v05_lines;
      continue;
    } else {
      continue;
    }
    if (!ok) {
      diag.warning(r.line, "bad MLPerf record",
                   "bad MLPerf log record: " + why + ": " + std::string(at.substr(0, 160)));
      continue;
    }
    run.record(r);
  }
  if (v05_lines > 0)
    out.diagnostics.push_back(
        Diagnostic{Severity::kWarning, 0,
                   std::to_string(v05_lines) +
                       " MLPerf v0.5 ':::MLPv0.5.0' lines: format not supported, ignored"});
  if (!run.started()) {
    out.diagnostics.push_back(
        Diagnostic{Severity::kError, 0, "no MLPerf ':::MLLOG' or ':::MLL' records found"});
    diag.finish();
    return;
  }
  run.finish(opt);
  diag.finish();
}

}  // namespace

std::unique_ptr<Parser> make_mlperf_parser() { return std::make_unique<MlperfParser>(); }

}  // namespace rn50::parsers
