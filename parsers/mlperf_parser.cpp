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

#include "parsers/mlperf_json.h"
#include "parsers/parser.h"
#include "parsers/text_lines.h"

namespace rn50::parsers {

namespace {

using core::Diagnostic;
using core::Severity;
using core::Source;

constexpr std::string_view kName = "mlperf";
constexpr std::string_view kVersion = "1";
constexpr std::string_view kTokenMllog = ":::MLLOG";
constexpr std::string_view kTokenMll = ":::MLL ";
constexpr std::string_view kTokenV05 = ":::MLPv0.5";
constexpr int kMaxDiagnosticsPerKind = 20;

struct Record {
  std::string_view key;
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
  auto n = parse_int(platform.substr(0, i));
  if (!n || *n <= 0) return std::nullopt;
  return n;
}

class DiagnosticSink {
 public:
  explicit DiagnosticSink(core::Diagnostics& out) : out_(out) {}
  void add(const std::string& kind, Severity sev, int64_t line, std::string msg) {
    if (++counts_[kind] <= kMaxDiagnosticsPerKind)
      out_.push_back(Diagnostic{sev, line, std::move(msg)});
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

// Reads one :::MLLOG record; false with `why` set when the JSON or a required field is bad.
bool read_mllog(std::string_view json, Record& r, std::string& why) {
  json = trim(json);
  std::vector<mlperf_json::Member> members;
  if (!mlperf_json::object_members(json, members, &why)) return false;
  bool have_time = false, have_key = false, have_value = false, have_meta = false;
  for (const auto& m : members) {
    if (m.key == "time_ms") {
      auto t = parse_double(m.value);
      if (!t || !std::isfinite(*t)) {
        why = "time_ms is not a number";
        return false;
      }
      have_time = true;
      if (*t != 0) r.time = *t / 1000.0;
    } else if (m.key == "key") {
      if (!mlperf_json::is_string(m.value)) {
        why = "key is not a string";
        return false;
      }
      r.key = mlperf_json::string_content(m.value);
      have_key = true;
    } else if (m.key == "value") {
      r.value = m.value;
      have_value = true;
    } else if (m.key == "metadata") {
      if (!m.value.starts_with("{")) {
        why = "metadata is not an object";
        return false;
      }
      r.metadata = m.value;
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
bool read_mll(std::string_view rest, Record& r, std::string& why) {
  rest = trim_left(rest);
  std::string_view ts = next_token(rest);
  auto t = parse_double(ts);
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
  std::vector<mlperf_json::Member> members;
  if (!mlperf_json::object_members(rest, members, &why)) return false;
  r.time = *t;
  r.value = "null";
  r.metadata = "{}";
  for (const auto& m : members) {
    if (m.key == "value")
      r.value = m.value;
    else if (m.key == "metadata" && m.value.starts_with("{"))
      r.metadata = m.value;
  }
  return true;
}

class MlperfParser : public WholeBufferParser {
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
    int good = 0, v05 = 0;
    while (lines.next(line) && good < 3) {
      Record r;
      std::string why;
      if (size_t p = line.rfind(kTokenMllog); p != std::string_view::npos) {
        if (read_mllog(line.substr(p + kTokenMllog.size()), r, why)) ++good;
      } else if (size_t q = line.rfind(kTokenMll); q != std::string_view::npos) {
        if (read_mll(line.substr(q + kTokenMll.size()), r, why)) ++good;
      } else if (line.find(kTokenV05) != std::string_view::npos) {
        ++v05;
      }
    }
    if (good > 0) return 85 + 3 * good;
    return v05 > 0 ? 40 : 0;
  }

  core::ParsedFile parse_buffer(std::string_view content, const core::DeriveOptions& opt) const override;
};

core::ParsedFile MlperfParser::parse_buffer(std::string_view content,
                                     const core::DeriveOptions& opt) const {
  core::ParsedFile out;
  out.format = std::string(kName);
  out.parser_version = std::string(kVersion);
  DiagnosticSink diag(out.diagnostics);

  std::vector<Record> records;
  int64_t v05_lines = 0;
  LineReader lines(content);
  std::string_view line;
  while (lines.next(line)) {
    // Most lines of a result file are framework noise: one substring search rules them out.
    const size_t p = line.rfind(":::ML");
    if (p == std::string_view::npos) continue;
    std::string_view at = line.substr(p);
    Record r;
    r.line = lines.line_number();
    std::string why;
    bool ok;
    if (at.starts_with(kTokenMllog)) {
      ok = read_mllog(at.substr(kTokenMllog.size()), r, why);
    } else if (at.starts_with(kTokenMll)) {
      ok = read_mll(at.substr(kTokenMll.size()), r, why);
    } else if (at.starts_with(kTokenV05)) {
      ++v05_lines;
      continue;
    } else {
      continue;
    }
    if (!ok) {
      diag.add("bad MLPerf record", Severity::kWarning, r.line,
               "bad MLPerf log record: " + why + ": " + to_utf8_text(at.substr(0, 160)));
      continue;
    }
    records.push_back(r);
  }
  if (v05_lines > 0)
    out.diagnostics.push_back(
        Diagnostic{Severity::kWarning, 0,
                   std::to_string(v05_lines) +
                       " MLPerf v0.5 ':::MLPv0.5.0' lines: format not supported, ignored"});
  if (records.empty()) {
    out.diagnostics.push_back(
        Diagnostic{Severity::kError, 0, "no MLPerf ':::MLLOG' or ':::MLL' records found"});
    diag.flush();
    return out;
  }

  core::RunRecord run;
  run.source_format = std::string(kName);
  std::optional<std::string> stop_status;
  std::map<double, std::pair<double, double>> epoch_interval;  // epoch -> (start, stop), first wins
  std::map<double, bool> epoch_has_stop;
  std::optional<int64_t> train_samples;
  std::optional<double> current_epoch;
  std::map<int64_t, core::EpochRecord> epochs;
  std::set<int64_t> throughput_epochs;
  std::vector<double> throughputs;
  double max_epoch = 0;
  bool any_epoch = false;

  auto epoch_record = [&](int64_t e) -> core::EpochRecord& {
    auto& rec = epochs[e];
    rec.epoch = e;
    return rec;
  };
  auto add_throughput = [&](std::optional<double> epoch, double v, std::optional<double> t) {
    if (!epoch || !std::isfinite(v) || v <= 0) return;
    const int64_t e = std::llround(*epoch);
    if (!throughput_epochs.insert(e).second) return;  // tracked_stats and throughput repeat it
    epoch_record(e).total_ips = v;
    throughputs.push_back(v);
    core::MetricPoint m;
    m.key = "train.total_ips";
    m.level = "epoch";
    m.epoch = *epoch;
    m.time = t;
    m.value = v;
    run.metrics.push_back(m);
  };

  for (const Record& r : records) {
    const mlperf_json::Object meta(r.metadata);
    std::optional<double> epoch = meta.number("epoch_num");
    if (!epoch) epoch = meta.number("first_epoch_num");

    core::Event ev;
    ev.key = to_utf8_text(r.key);
    ev.time = r.time;
    ev.epoch = epoch;
    ev.value_json = to_utf8_text(r.value);
    ev.metadata_json = to_utf8_text(r.metadata);
    run.events.push_back(std::move(ev));

    const std::string_view k = r.key;
    if (k == "run_start") {
      if (!run.start_time) run.start_time = r.time;
    } else if (k == "run_stop") {
      if (!run.end_time && !stop_status) {
        run.end_time = r.time;
        stop_status = meta.string("status").value_or("");
      }
    } else if (k == "epoch_start" || k == "epoch_stop") {
      if (epoch && r.time) {
        auto [it, fresh] = epoch_interval.try_emplace(*epoch, NAN, NAN);
        double& slot = k == "epoch_start" ? it->second.first : it->second.second;
        if (std::isnan(slot)) slot = *r.time;
        current_epoch = epoch;
        if (k == "epoch_stop") {
          max_epoch = std::max(max_epoch, *epoch);
          any_epoch = true;
        }
      }
    } else if (k == "eval_accuracy") {
      auto v = mlperf_json::as_number(r.value);
      if (!v || !epoch) {
        diag.add("eval_accuracy", Severity::kWarning, r.line,
                 "eval_accuracy without a numeric value or metadata.epoch_num: ignored");
        continue;
      }
      const double pct = *v * 100.0;
      core::MetricPoint m;
      m.key = "val.top1";
      m.level = "eval";
      m.epoch = *epoch;
      m.time = r.time;
      m.value = pct;
      run.metrics.push_back(m);
      const int64_t e = std::llround(*epoch);
      if (std::fabs(*epoch - static_cast<double>(e)) > 1e-9)
        diag.add("fractional epoch", Severity::kInfo, r.line,
                 "eval_accuracy at fractional epoch " + std::to_string(*epoch) + ": epoch record " +
                     std::to_string(e));
      auto& rec = epoch_record(e);
      if (!rec.top1) {  // several ranks may log the same evaluation
        rec.top1 = pct;
        rec.time = r.time;
      }
      max_epoch = std::max(max_epoch, *epoch);
      any_epoch = true;
    } else if (k == "throughput") {
      if (auto v = mlperf_json::as_number(r.value))
        add_throughput(epoch ? epoch : current_epoch, *v, r.time);
    } else if (k == "tracked_stats") {
      const mlperf_json::Object val(r.value);
      std::optional<double> v = val.number("imgs_sec");
      if (!v) v = val.number("throughput");
      std::optional<double> step = meta.number("step");
      if (v) add_throughput(step ? step : current_epoch, *v, r.time);
    } else if (!is_series_key(k) && !run.find_param(std::string(k))) {
      // Hyper-parameters and submission_* facts, first occurrence wins.
      std::string text = mlperf_json::is_string(r.value)
                             ? mlperf_json::unescape(mlperf_json::string_content(r.value))
                             : to_utf8_text(r.value);
      if (k == "train_samples") train_samples = parse_int(text);
      if (k == "global_batch_size") {
        if (auto gb = parse_int(text); gb && *gb > 0)
          run.global_batch.set(*gb, Source::kLog, "global_batch_size");
      }
      if (k == "submission_platform") {
        if (auto n = nodes_from_platform(text))
          run.nodes.set(*n, Source::kInferred, "submission_platform '" + text + "'");
      }
      run.set_param(to_utf8_text(k), std::move(text));
    }
  }

  for (auto& [e, rec] : epochs) run.epochs.push_back(rec);
  if (any_epoch) run.epochs_completed = static_cast<int64_t>(std::floor(max_epoch + 1e-9));

  if (!stop_status) {
    run.status = core::RunStatus::kIncomplete;
  } else if (*stop_status == "success") {
    run.status = core::RunStatus::kFinished;
  } else if (*stop_status == "aborted") {
    run.status = core::RunStatus::kAborted;
  } else {
    run.status = core::RunStatus::kFailed;
  }
  if (stop_status) run.set_param("run_stop.status", *stop_status);

  core::apply_user_facts(run, opt);

  // Throughput: epoch intervals when the log has them, else the benchmark's own per-epoch values.
  auto& d = run.derived;
  double seconds = 0;
  int64_t timed_epochs = 0;
  for (const auto& [e, iv] : epoch_interval) {
    if (std::isnan(iv.first) || std::isnan(iv.second) || iv.second <= iv.first) continue;
    seconds += iv.second - iv.first;
    ++timed_epochs;
  }
  if (train_samples && *train_samples > 0 && timed_epochs > 0 && seconds > 0) {
    d.total_ips = static_cast<double>(*train_samples) * static_cast<double>(timed_epochs) / seconds;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", seconds);
    d.total_ips_definition =
        "train_samples " + std::to_string(*train_samples) + " x " + std::to_string(timed_epochs) +
        " epochs / sum of epoch_start..epoch_stop intervals (" + buf + " s); excludes evaluation";
  } else if (!throughputs.empty()) {
    double inv = 0;
    for (double v : throughputs) inv += 1.0 / v;
    d.total_ips = static_cast<double>(throughputs.size()) / inv;
    d.total_ips_definition = "harmonic mean of " + std::to_string(throughputs.size()) +
                             " per-epoch throughput values logged by the benchmark";
  }

  core::derive_common(run, opt);
  out.runs.push_back(std::move(run));
  diag.flush();
  return out;
}

}  // namespace

std::unique_ptr<Parser> make_mlperf_parser() { return std::make_unique<MlperfParser>(); }

}  // namespace rn50::parsers
