// "rn50-native": the JSON-lines log written by rn50-exp's own trainer (docs/native-log.md).
// Throughput is re-aggregated from the logged sufficient statistics (images, seconds, data
// seconds per print interval), never from logged rates. Read line by line; per run it keeps the
// sums of the steady window and one (step time, steps) pair per logged interval.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/derive.h"
#include "core/native_log_format.h"
#include "parsers/diagnostic_log.h"
#include "parsers/numbers.h"
#include "parsers/parser.h"
#include "parsers/text.h"

namespace rn50::parsers {
namespace {

using nlohmann::json;

constexpr std::string_view kName = core::kNativeLogFormat;
constexpr std::string_view kVersion = "2";
constexpr const char* kSchema = core::kNativeLogSchema;
constexpr int kNewestLogVersion = core::kNativeLogVersion;

// Typed access to a record that never throws: a field of the wrong type or range is a problem
// the caller reports with the record's line and the field's name.
const json* field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::optional<double> num(const json& j, const char* key) {
  const json* v = field(j, key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

std::optional<std::string> str(const json& j, const char* key) {
  const json* v = field(j, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

// The JSON text of a value (the input was valid UTF-8, so dump() cannot fail on it).
std::string dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string param_text(const json& v) {
  return stored_text(v.is_string() ? v.get_ref<const std::string&>() : dump(v), TextKind::kValue);
}

std::string fmt_num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Thrown inside one record's handling; becomes a diagnostic for that record's line.
struct BadField {
  std::string message;
};

// An integer field in [lo, hi]; absent when not required gives nullopt.
std::optional<int64_t> int_field(const json& j, const char* key, int64_t lo, int64_t hi,
                                 bool required) {
  const json* v = field(j, key);
  if (!v || v->is_null()) {
    if (required) throw BadField{std::string(key) + ": missing"};
    return std::nullopt;
  }
  if (!v->is_number()) throw BadField{std::string(key) + ": expected a number, got " + dump(*v)};
  std::string why;
  std::optional<int64_t> n;
  if (v->is_number_integer() && !v->is_number_unsigned())
    n = in_range(v->get<int64_t>(), lo, hi, &why);
  else if (v->is_number_unsigned() && v->get<uint64_t>() <= static_cast<uint64_t>(hi))
    n = in_range(static_cast<int64_t>(v->get<uint64_t>()), lo, hi, &why);
  else
    n = to_int64(v->get<double>(), &why, lo, hi);
  if (!n) throw BadField{std::string(key) + ": " + why};
  return n;
}

double real_field(const json& j, const char* key) {
  const json* v = field(j, key);
  if (!v || !v->is_number()) throw BadField{std::string(key) + ": expected a number"};
  const double d = v->get<double>();
  if (!std::isfinite(d)) throw BadField{std::string(key) + ": not a finite number"};
  return d;
}

struct Interval {
  int64_t epoch = 0, last_step = 0, steps = 0;
  bool steady = false;
  double images = 0, seconds = 0, data_seconds = 0;
};

class NativeLogParser : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "rn50-exp trainer log (JSON lines, schema rn50-native-log)";
  }

  int sniff(std::string_view head) const override {
    const auto nl = head.find('\n');
    const std::string_view first = head.substr(0, nl);
    if (first.find("\"rn50-native-log\"") == std::string_view::npos) return 0;
    const json j = json::parse(first, nullptr, /*allow_exceptions=*/false);
    // Names the schema but the header line is cut: probably ours, truncated.
    if (j.is_discarded()) return 20;
    if (str(j, "schema") == std::string(kSchema) && str(j, "type") == std::string("header"))
      return 100;
    return 0;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override;
};

class NativeRun {
 public:
  NativeRun(core::ParsedFile& out, core::MetricSink& points, DiagnosticLog& diag,
            const core::DeriveOptions& opt)
      : out_(out), points_(points), diag_(diag), opt_(opt) {}

  // false: stop reading (not a native log, or a version this build cannot read).
  bool record(std::string_view line, int64_t line_no) {
    json r = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (r.is_discarded()) {
      // The final record of an interrupted run is cut; said once the rest of the file is known.
      flush_bad_line(/*at_end=*/false);
      bad_line_ = line_no;
      return true;
    }
    flush_bad_line(false);
    const auto type = str(r, "type");
    if (!type) {
      diag_.error(line_no, "record", "record without a \"type\"");
      return true;
    }
    try {
      if (*type == "header") return header(r, line_no);
      if (!have_header_) {
        diag_.error(line_no, "record", "record before the header; not a native log");
        return false;
      }
      body(*type, r, line_no);
    } catch (const BadField& e) {
      diag_.error(line_no, "record", "malformed " + *type + " record: " + e.message);
    } catch (const json::exception& e) {
      // Every access above checks types first: this keeps a library message off the screen
      // should one still escape.
      diag_.error(line_no, "record", "malformed " + *type + " record");
    }
    return true;
  }

  void finish() {
    flush_bad_line(/*at_end=*/true);
    if (!have_header_) {
      diag_.error(0, "record", "no header record: not a native log");
      return;
    }
    core::RunRecord& run = out_.runs[index_];
    if (!stopped_) run.status = core::RunStatus::kIncomplete;
    for (auto& [e, rec] : epochs_) run.epochs.push_back(rec);
    int64_t completed = 0;
    for (auto& [e, rec] : epochs_)
      if (rec.train_loss) ++completed;
    run.epochs_completed = completed;

    core::apply_user_facts(run, opt_);

    auto& d = run.derived;
    const bool explicit_window = opt_.window_first || opt_.window_last;
    const std::string window =
        explicit_window ? "steps in --window"
        : opt_.skip_steps
            ? "steps after the first " + std::to_string(*opt_.skip_steps) + " of each epoch"
            : "steps after skip_steps of each epoch";
    if (seconds_ > 0) {
      d.total_ips = images_ / seconds_;
      d.total_ips_definition = "sum images / sum step seconds (" + fmt_num(images_) + " / " +
                               fmt_num(seconds_) + " s) over " + std::to_string(n_steps_) + " " +
                               window;
      if (seconds_ - data_seconds_ > 0) {
        d.compute_ips = images_ / (seconds_ - data_seconds_);
        d.compute_ips_definition = "sum images / sum (step - data wait) seconds over " +
                                   std::to_string(n_steps_) + " " + window;
      }
      d.step_time_p50 = core::percentile_weighted(step_times_, 50);
      d.step_time_p90 = core::percentile_weighted(step_times_, 90);
      d.step_time_p99 = core::percentile_weighted(step_times_, 99);
    } else {
      d.total_ips_definition = "NULL: no training steps in the steady window";
    }
    if (summary_.is_object()) {
      if (auto v = num(summary_, "total_ips")) d.summary_total_ips = v;
      if (auto v = num(summary_, "compute_ips")) d.summary_compute_ips = v;
      if (auto v = num(summary_, "acc1_best"); v && *v > 0) d.summary_top1 = v;
      if (auto v = num(summary_, "acc5_best"); v && *v > 0) d.summary_top5 = v;
    }

    // The run's own target wins over the generic default (a user-given target wins over both).
    core::DeriveOptions dopt = opt_;
    if (opt_.target_top1 == core::kDefaultTargetTop1)
      if (auto t = num(config_, "target_top1"); t && *t > 0 && *t <= 100) dopt.target_top1 = *t;
    core::derive_common(run, dopt);
  }

 private:
  void flush_bad_line(bool at_end) {
    if (bad_line_ == 0) return;
    if (at_end)
      diag_.warning(bad_line_, "cut", "last line is cut off (run interrupted?)");
    else
      diag_.error(bad_line_, "not JSON", "not a JSON record");
    bad_line_ = 0;
  }

  bool header(const json& r, int64_t line_no) {
    if (have_header_) {
      diag_.warning(line_no, "record", "second header ignored");
      return true;
    }
    if (str(r, "schema") != std::string(kSchema)) {
      diag_.error(line_no, "record", "header does not name schema rn50-native-log");
      return false;
    }
    const auto version = int_field(r, "version", 0, kNewestLogVersion + 1000, false);
    if (!version || *version < 1 || *version > kNewestLogVersion) {
      diag_.error(line_no, "record",
                  "native log version " + (version ? std::to_string(*version) : std::string("?")) +
                      " is not supported (this build reads 1.." +
                      std::to_string(kNewestLogVersion) + "); upgrade rn50-exp");
      return false;
    }
    have_header_ = true;
    core::RunRecord rec;
    rec.source_format = std::string(kName);
    out_.runs.push_back(std::move(rec));
    index_ = out_.runs.size() - 1;
    core::RunRecord& run = out_.runs[index_];

    if (const json* c = field(r, "config"); c && c->is_object()) config_ = *c;
    for (auto& [k, v] : config_.items())
      run.set_param(stored_text(k, TextKind::kKey), param_text(v));
    for (const char* k :
         {"world_size", "global_batch", "optimizer_batch", "accumulation", "steps_per_epoch",
          "train_images_per_epoch", "val_images", "base_lr", "threads"})
      if (const json* v = field(r, k); v && !v->is_null())
        run.set_param(std::string("log.") + k, param_text(*v));
    if (const json* env = field(r, "environment"); env && !env->empty())
      run.set_param("environment", stored_text(dump(*env), TextKind::kValue));
    if (const json* t = field(r, "torch"))
      run.set_param("torch", stored_text(dump(*t), TextKind::kValue));

    // Facts: each one range-checked; a bad one is an error naming the line and the key, and
    // stays unknown (a world size of 0 would divide by zero downstream).
    auto fact = [&](const json& j, const char* key, int64_t hi, const char* shown) {
      try {
        return int_field(j, key, 1, hi, false);
      } catch (const BadField& e) {
        diag_.error(
            line_no, "header",
            std::string(shown) + e.message.substr(std::strlen(key)) + ": not used as a fact");
        return std::optional<int64_t>();
      }
    };
    if (auto w = fact(r, "world_size", kMaxWorldSize, "world_size")) {
      run.world_size.set(*w);
      set_nodes(run, *w, r);
    }
    if (auto b = fact(config_, "batch_size", kMaxBatch, "config.batch_size"))
      run.batch_per_device.set(*b);
    if (auto g = fact(r, "global_batch", kMaxBatch, "global_batch")) run.global_batch.set(*g);
    if (auto e = fact(config_, "epochs", kMaxEpochs, "config.epochs")) run.epochs_planned.set(*e);
    if (auto p = str(config_, "precision")) {
      if (*p == "fp32" || *p == "tf32" || *p == "amp" || *p == "fp16" || *p == "bf16")
        run.precision.set(*p);
      else
        diag_.warning(line_no, "header",
                      "config.precision '" + stored_text(*p, TextKind::kValue) +
                          "' is not a known precision: not used as a fact");
    }
    if (auto n = str(config_, "run_name"); n && !n->empty())
      run.name = stored_text(*n, TextKind::kKey);
    return true;
  }

  // Nodes from the launch environment the worker recorded (torchrun's LOCAL_WORLD_SIZE ranks per
  // node): a single process is one node; otherwise world size / ranks per node when it divides.
  static void set_nodes(core::RunRecord& run, int64_t world, const json& header) {
    if (world == 1) {
      run.nodes.set(1);
      return;
    }
    const json* env = &header;
    for (const char* k : {"environment", "distributed", "env"}) {
      env = field(*env, k);
      if (!env) return;
    }
    const json* lws = field(*env, "local_world_size");
    // nlohmann keeps a non-negative integer as unsigned.
    if (!lws || !lws->is_number_unsigned() ||
        lws->get<uint64_t>() > static_cast<uint64_t>(kMaxWorldSize))
      return;
    const auto per_node = static_cast<int64_t>(lws->get<uint64_t>());
    if (per_node > 0 && world % per_node == 0)
      run.nodes.set(
          world / per_node, core::Source::kInferred,
          std::to_string(world) + " ranks / LOCAL_WORLD_SIZE " + std::to_string(per_node));
  }

  void metrics(const json& r, std::string_view level, std::optional<double> epoch,
               std::optional<int64_t> step, std::optional<double> time) {
    const json* m = field(r, "metrics");
    if (!m || !m->is_object()) return;
    for (auto& [k, v] : m->items()) {
      if (!v.is_number()) continue;
      const double value = v.get<double>();
      if (!std::isfinite(value)) continue;
      points_.add(index_, stored_view(k, TextKind::kKey, key_scratch_), level, epoch, step, time,
                  value);
    }
  }

  void body(const std::string& type, const json& r, int64_t line_no) {
    core::RunRecord& run = out_.runs[index_];
    const std::optional<double> time = num(r, "time");
    if (type == "event") {
      core::Event ev;
      ev.key = stored_text(str(r, "key").value_or(""), TextKind::kKey);
      ev.time = time;
      ev.epoch = num(r, "epoch");
      const json* value = field(r, "value");
      const json* meta = field(r, "metadata");
      ev.value_json = value ? dump(*value) : "null";
      ev.metadata_json = meta && meta->is_object() ? dump(*meta) : "{}";
      if (ev.key == "run_start" && time && !run.start_time) run.start_time = time;
      if (ev.key == "run_stop") {
        stopped_ = true;
        run.end_time = time;
        const std::string status = meta ? str(*meta, "status").value_or("") : "";
        run.status = status == "success"   ? core::RunStatus::kFinished
                     : status == "aborted" ? core::RunStatus::kAborted
                                           : core::RunStatus::kFailed;
      }
      run.events.push_back(std::move(ev));
    } else if (type == "train_step") {
      Interval iv;
      iv.epoch = *int_field(r, "epoch", 0, kMaxEpochs, true);
      iv.last_step = *int_field(r, "step", 0, kMaxStep, true);
      iv.steps = *int_field(r, "interval_steps", 0, kMaxStep, true);
      if (const json* s = field(r, "steady"); s && s->is_boolean()) iv.steady = s->get<bool>();
      iv.images = real_field(r, "images");
      iv.seconds = real_field(r, "seconds");
      iv.data_seconds = real_field(r, "data_seconds");
      add_interval(iv);
      metrics(r, "iter", static_cast<double>(iv.epoch), iv.last_step, time);
    } else if (type == "epoch" || type == "eval") {
      const int64_t e = *int_field(r, "epoch", 0, kMaxEpochs, true);
      std::optional<double> top1, top5;
      if (type == "eval") {
        // Accuracy recomputed from the counts: exact, whatever the writer rounded.
        const double n = real_field(r, "n");
        const double c1 = real_field(r, "correct1");
        const double c5 = real_field(r, "correct5");
        if (n > 0) {
          top1 = 100.0 * c1 / n;
          top5 = 100.0 * c5 / n;
        }
      }
      auto& rec = epochs_[e];
      rec.epoch = e;
      rec.time = time;
      metrics(r, "epoch", static_cast<double>(e), std::nullopt, time);
      const json* m = field(r, "metrics");
      if (type == "epoch" && m) {
        rec.train_loss = num(*m, "train.loss");
        rec.lr = num(*m, "train.lr");
        rec.total_ips = num(*m, "train.total_ips");
        rec.compute_ips = num(*m, "train.compute_ips");
      } else if (top1) {
        rec.top1 = top1;
        rec.top5 = top5;
      }
    } else if (type == "summary") {
      if (const json* rep = field(r, "report")) summary_ = *rep;
    } else if (type != "resume" && type != "notice") {
      diag_.info(line_no, "record",
                 "unknown record type '" + stored_text(type, TextKind::kValue) + "' ignored");
    }
  }

  // Steady window: the trainer marks intervals after skip_steps as steady and never lets an
  // interval straddle that boundary. An explicit window or skip_steps re-selects intervals by
  // their step range.
  void add_interval(const Interval& iv) {
    const int64_t first = iv.last_step - iv.steps + 1;
    bool use = iv.steady;
    if (opt_.window_first || opt_.window_last)
      use = (!opt_.window_first || first >= *opt_.window_first) &&
            (!opt_.window_last || iv.last_step <= *opt_.window_last);
    else if (opt_.skip_steps)
      use = first > *opt_.skip_steps;
    if (!use || iv.seconds <= 0) return;
    images_ += iv.images;
    seconds_ += iv.seconds;
    data_seconds_ += iv.data_seconds;
    n_steps_ = std::min(n_steps_ + iv.steps, kMaxStep);  // both <= kMaxStep: no overflow
    if (iv.steps > 0)
      step_times_.emplace_back(iv.seconds / static_cast<double>(iv.steps), iv.steps);
  }

  core::ParsedFile& out_;
  core::MetricSink& points_;
  DiagnosticLog& diag_;
  const core::DeriveOptions& opt_;
  size_t index_ = 0;
  bool have_header_ = false, stopped_ = false;
  int64_t bad_line_ = 0;
  json config_ = json::object();
  json summary_;
  std::map<int64_t, core::EpochRecord> epochs_;
  double images_ = 0, seconds_ = 0, data_seconds_ = 0;
  int64_t n_steps_ = 0;
  std::vector<std::pair<double, int64_t>> step_times_;  // (seconds per step, steps)
  std::string key_scratch_;
};

void NativeLogParser::parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
                            const core::DeriveOptions& opt) const {
  out.format = std::string(kName);
  out.parser_version = std::string(kVersion);
  DiagnosticLog diag(out.diagnostics);
  NativeRun run(out, points, diag, opt);
  std::string_view line;
  bool go_on = true;
  while (go_on && in.next_line(line)) {
    line = trim_right(line);
    if (line.empty()) continue;
    go_on = run.record(line, in.line_number());
  }
  if (go_on) run.finish();
  diag.finish();
}

}  // namespace

std::unique_ptr<Parser> make_native_log_parser() { return std::make_unique<NativeLogParser>(); }

}  // namespace rn50::parsers
