// "rn50-native": the JSON-lines log written by rn50-exp's own trainer (docs/native-log.md).
// Throughput is re-aggregated from the logged sufficient statistics (images, seconds, data
// seconds per print interval), never from logged rates.
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/derive.h"
#include "parsers/parser.h"

namespace rn50::parsers {
namespace {

using nlohmann::json;

// Nodes from the launch environment the worker recorded (torchrun's LOCAL_WORLD_SIZE ranks per
// node): a single process is one node; otherwise world size / ranks per node when it divides.
void set_nodes(core::RunRecord& run, int64_t world, const json& header) {
  if (world == 1) {
    run.nodes.set(1);
    return;
  }
  const json* env = &header;
  for (const char* k : {"environment", "distributed", "env"}) {
    if (!env->is_object() || !env->contains(k)) return;
    env = &(*env)[k];
  }
  if (!env->is_object() || !env->contains("local_world_size")) return;
  const json& lws = (*env)["local_world_size"];
  if (!lws.is_number_integer()) return;
  const int64_t per_node = lws.get<int64_t>();
  if (per_node > 0 && world % per_node == 0)
    run.nodes.set(world / per_node, core::Source::kInferred,
                  std::to_string(world) + " ranks / LOCAL_WORLD_SIZE " + std::to_string(per_node));
}

constexpr std::string_view kName = "rn50-native";
constexpr std::string_view kVersion = "1";
constexpr const char* kSchema = "rn50-native-log";
constexpr int kNewestLogVersion = 1;

std::optional<double> num(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string param_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string fmt_num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

class NativeLogParser : public WholeBufferParser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "rn50-exp trainer log (JSON lines, schema rn50-native-log)";
  }

  int sniff(std::string_view head) const override {
    auto nl = head.find('\n');
    std::string_view first = head.substr(0, nl);
    if (first.find("\"rn50-native-log\"") == std::string_view::npos) return 0;
    try {
      json j = json::parse(first);
      if (j.is_object() && j.value("schema", "") == kSchema && j.value("type", "") == "header")
        return 100;
    } catch (const json::exception&) {
      return 20;  // names the schema but the header line is cut: probably ours, truncated
    }
    return 0;
  }

  core::ParsedFile parse_buffer(std::string_view content, const core::DeriveOptions& opt) const override;
};

struct Interval {
  int64_t epoch = 0, last_step = 0, steps = 0;
  bool steady = false;
  double images = 0, seconds = 0, data_seconds = 0;
};

core::ParsedFile NativeLogParser::parse_buffer(std::string_view content,
                                        const core::DeriveOptions& opt) const {
  core::ParsedFile out;
  out.format = std::string(kName);
  out.parser_version = std::string(kVersion);
  auto diag = [&](core::Severity s, int64_t line, std::string msg) {
    out.diagnostics.push_back(core::Diagnostic{s, line, std::move(msg)});
  };

  core::RunRecord run;
  run.source_format = std::string(kName);
  bool have_header = false, stopped = false;
  json config = json::object();
  std::vector<Interval> intervals;
  std::map<int64_t, core::EpochRecord> epochs;
  json summary;

  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    const bool last_line = end == std::string_view::npos;
    std::string_view line = content.substr(pos, last_line ? std::string_view::npos : end - pos);
    pos = last_line ? content.size() : end + 1;
    ++line_no;
    if (line.empty()) continue;
    json r;
    try {
      r = json::parse(line);
    } catch (const json::exception& e) {
      // The final record of an interrupted run is cut (with or without a newline after it).
      if (last_line || content.find_first_not_of(" \t\r\n", pos) == std::string_view::npos)
        diag(core::Severity::kWarning, line_no, "last line is cut off (run interrupted?)");
      else
        diag(core::Severity::kError, line_no, std::string("not JSON: ") + e.what());
      continue;
    }
    if (!r.is_object() || !r.contains("type") || !r["type"].is_string()) {
      diag(core::Severity::kError, line_no, "record without a \"type\"");
      continue;
    }
    const std::string type = r["type"];
    const std::optional<double> time = num(r, "time");
    try {
      if (type == "header") {
        if (have_header) {
          diag(core::Severity::kWarning, line_no, "second header ignored");
          continue;
        }
        if (r.value("schema", "") != kSchema) {
          diag(core::Severity::kError, line_no, "header does not name schema rn50-native-log");
          return out;
        }
        const int version = r.value("version", 0);
        if (version < 1 || version > kNewestLogVersion) {
          diag(core::Severity::kError, line_no,
               "native log version " + std::to_string(version) +
                   " is not supported (this build reads 1.." + std::to_string(kNewestLogVersion) +
                   "); upgrade rn50-exp");
          return out;
        }
        have_header = true;
        config = r.value("config", json::object());
        for (auto& [k, v] : config.items()) run.set_param(k, param_text(v));
        for (const char* k :
             {"world_size", "global_batch", "optimizer_batch", "accumulation", "steps_per_epoch",
              "train_images_per_epoch", "val_images", "base_lr", "threads"})
          if (r.contains(k) && !r[k].is_null())
            run.set_param(std::string("log.") + k, param_text(r[k]));
        if (r.contains("environment") && !r["environment"].empty())
          run.set_param("environment", r["environment"].dump());
        if (r.contains("torch")) run.set_param("torch", r["torch"].dump());
        if (auto w = num(r, "world_size")) {
          run.world_size.set(int64_t(*w));
          set_nodes(run, int64_t(*w), r);
        }
        if (config.contains("batch_size"))
          run.batch_per_device.set(config["batch_size"].get<int64_t>());
        if (auto g = num(r, "global_batch")) run.global_batch.set(int64_t(*g));
        if (config.contains("epochs")) run.epochs_planned.set(config["epochs"].get<int64_t>());
        if (config.contains("precision")) run.precision.set(config["precision"].get<std::string>());
        if (config.contains("run_name") && !config["run_name"].get<std::string>().empty())
          run.name = config["run_name"].get<std::string>();
        continue;
      }
      if (!have_header) {
        diag(core::Severity::kError, line_no, "record before the header; not a native log");
        return out;
      }
      if (type == "event") {
        core::Event ev;
        ev.key = r.value("key", "");
        ev.time = time;
        ev.epoch = num(r, "epoch");
        ev.value_json = r.value("value", json()).dump();
        ev.metadata_json = r.value("metadata", json::object()).dump();
        if (ev.key == "run_start" && time && !run.start_time) run.start_time = time;
        if (ev.key == "run_stop") {
          stopped = true;
          run.end_time = time;
          std::string status = r.value("metadata", json::object()).value("status", "");
          run.status = status == "success"   ? core::RunStatus::kFinished
                       : status == "aborted" ? core::RunStatus::kAborted
                                             : core::RunStatus::kFailed;
        }
        run.events.push_back(std::move(ev));
      } else if (type == "train_step") {
        Interval iv;
        iv.epoch = r.at("epoch").get<int64_t>();
        iv.last_step = r.at("step").get<int64_t>();
        iv.steps = r.at("interval_steps").get<int64_t>();
        iv.steady = r.value("steady", false);
        iv.images = r.at("images").get<double>();
        iv.seconds = r.at("seconds").get<double>();
        iv.data_seconds = r.at("data_seconds").get<double>();
        intervals.push_back(iv);
        const json metrics = r.value("metrics", json::object());  // outlives the loop
        for (auto& [k, v] : metrics.items())
          if (v.is_number())
            run.metrics.push_back(core::MetricPoint{k, "iter", double(iv.epoch), iv.last_step, time,
                                                    v.get<double>()});
      } else if (type == "epoch" || type == "eval") {
        const int64_t e = r.at("epoch").get<int64_t>();
        auto& rec = epochs[e];
        rec.epoch = e;
        rec.time = time;
        const json m = r.value("metrics", json::object());
        for (auto& [k, v] : m.items())
          if (v.is_number())
            run.metrics.push_back(
                core::MetricPoint{k, "epoch", double(e), std::nullopt, time, v.get<double>()});
        if (type == "epoch") {
          rec.train_loss = num(m, "train.loss");
          rec.lr = num(m, "train.lr");
          rec.total_ips = num(m, "train.total_ips");
          rec.compute_ips = num(m, "train.compute_ips");
        } else {
          // Accuracy recomputed from the counts: exact, whatever the writer rounded.
          const double n = r.at("n").get<double>();
          if (n > 0) {
            rec.top1 = 100.0 * r.at("correct1").get<double>() / n;
            rec.top5 = 100.0 * r.at("correct5").get<double>() / n;
          }
        }
      } else if (type == "summary") {
        summary = r.value("report", json::object());
      } else if (type != "resume" && type != "notice") {
        diag(core::Severity::kInfo, line_no, "unknown record type '" + type + "' ignored");
      }
    } catch (const json::exception& e) {
      diag(core::Severity::kError, line_no, "malformed " + type + " record: " + e.what());
    }
  }
  if (!have_header) {
    diag(core::Severity::kError, 0, "no header record: not a native log");
    return out;
  }
  if (!stopped) run.status = core::RunStatus::kIncomplete;
  for (auto& [e, rec] : epochs) run.epochs.push_back(rec);
  int64_t completed = 0;
  for (auto& [e, rec] : epochs)
    if (rec.train_loss) ++completed;
  run.epochs_completed = completed;

  core::apply_user_facts(run, opt);

  // Steady window: the trainer marks intervals after skip_steps as steady and never lets an
  // interval straddle that boundary. An explicit window or skip_steps re-selects intervals by
  // their step range.
  auto& d = run.derived;
  const bool explicit_window = opt.window_first || opt.window_last;
  double images = 0, seconds = 0, data_seconds = 0;
  int64_t n_steps = 0;
  std::vector<double> step_times;
  for (const auto& iv : intervals) {
    const int64_t first = iv.last_step - iv.steps + 1;
    bool use = iv.steady;
    if (explicit_window)
      use = (!opt.window_first || first >= *opt.window_first) &&
            (!opt.window_last || iv.last_step <= *opt.window_last);
    else if (opt.skip_steps)
      use = first > *opt.skip_steps;
    if (!use || iv.seconds <= 0) continue;
    images += iv.images;
    seconds += iv.seconds;
    data_seconds += iv.data_seconds;
    n_steps += iv.steps;
    for (int64_t i = 0; i < iv.steps; ++i) step_times.push_back(iv.seconds / double(iv.steps));
  }
  const std::string window =
      explicit_window ? "steps in --window"
      : opt.skip_steps
          ? "steps after the first " + std::to_string(*opt.skip_steps) + " of each epoch"
          : "steps after skip_steps of each epoch";
  if (seconds > 0) {
    d.total_ips = images / seconds;
    d.total_ips_definition = "sum images / sum step seconds (" + fmt_num(images) + " / " +
                             fmt_num(seconds) + " s) over " + std::to_string(n_steps) + " " +
                             window;
    if (seconds - data_seconds > 0) {
      d.compute_ips = images / (seconds - data_seconds);
      d.compute_ips_definition = "sum images / sum (step - data wait) seconds over " +
                                 std::to_string(n_steps) + " " + window;
    }
    d.step_time_p50 = core::percentile_in_place(step_times, 50);
    d.step_time_p90 = core::percentile_in_place(step_times, 90);
    d.step_time_p99 = core::percentile_in_place(step_times, 99);
  } else {
    d.total_ips_definition = "NULL: no training steps in the steady window";
  }
  if (!summary.is_null()) {
    if (auto v = num(summary, "total_ips")) d.summary_total_ips = v;
    if (auto v = num(summary, "compute_ips")) d.summary_compute_ips = v;
    if (auto v = num(summary, "acc1_best"); v && *v > 0) d.summary_top1 = v;
    if (auto v = num(summary, "acc5_best"); v && *v > 0) d.summary_top5 = v;
  }

  // The run's own target wins over the generic default (a user-given target wins over both).
  core::DeriveOptions dopt = opt;
  if (opt.target_top1 == core::kDefaultTargetTop1 && config.value("target_top1", 0.0) > 0)
    dopt.target_top1 = config["target_top1"].get<double>();
  core::derive_common(run, dopt);
  out.runs.push_back(std::move(run));
  return out;
}

}  // namespace

std::unique_ptr<Parser> make_native_log_parser() { return std::make_unique<NativeLogParser>(); }

}  // namespace rn50::parsers
