// Enflame-style end-of-run report: one JSON object (docs/formats/enflame.md) with model,
// local_rank, batch_size, epochs, training_step_per_epoch, eval_step_per_epoch, acc1_best,
// acc5_best, device, skip_steps, train_fps_mean/min/max and training_time (s). The built-in
// trainer's report.json is a superset (world_size, precision, time_to_target_s, total_ips, ...).
// A report states aggregates only: there are no series, so the run's numbers are set directly.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "parsers/parser.h"
#include "parsers/text_lines.h"

namespace rn50::parsers {

namespace {

using core::Diagnostic;
using core::Severity;
using core::Source;
using nlohmann::json;

constexpr std::string_view kName = "enflame-report";
constexpr std::string_view kVersion = "1";
constexpr const char* kEnflameKeys[] = {"model",
                                        "local_rank",
                                        "batch_size",
                                        "epochs",
                                        "training_step_per_epoch",
                                        "eval_step_per_epoch",
                                        "acc1_best",
                                        "acc5_best",
                                        "device",
                                        "skip_steps",
                                        "train_fps_mean",
                                        "train_fps_min",
                                        "train_fps_max",
                                        "training_time"};

int64_t line_of_offset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

// Line of the first occurrence of "key": in the text, so a bad field can be pointed at.
int64_t line_of_key(std::string_view text, const std::string& key) {
  const size_t at = text.find("\"" + key + "\"");
  return at == std::string_view::npos ? 0 : line_of_offset(text, at);
}

int count_enflame_keys(const json& j) {
  int n = 0;
  for (const char* k : kEnflameKeys) n += j.contains(k) ? 1 : 0;
  return n;
}

class EnflameReportParser : public WholeBufferParser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "Enflame-style report JSON (acc1_best, train_fps_mean, training_time, ...); also the "
           "built-in trainer's report.json";
  }

  int sniff(std::string_view head) const override {
    std::string_view t = trim(head);
    if (t.empty() || t.front() != '{' || !looks_like_text(head)) return 0;
    // Cheap pre-check before parsing: the two keys that identify the format.
    const bool acc = t.find("\"acc1_best\"") != std::string_view::npos;
    const bool fps = t.find("\"train_fps_mean\"") != std::string_view::npos;
    if (!acc && !fps) return 0;
    json j = json::parse(to_utf8_text(t), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return acc && fps ? 30 : 0;  // a cut-off report still looks like one
    if (j.contains("acc1_best") && j.contains("train_fps_mean")) return 90;
    return count_enflame_keys(j) >= 8 ? 80 : 0;
  }

  core::ParsedFile parse_buffer(std::string_view content, const core::DeriveOptions& opt) const override;
};

core::ParsedFile EnflameReportParser::parse_buffer(std::string_view content,
                                            const core::DeriveOptions& opt) const {
  core::ParsedFile out;
  out.format = std::string(kName);
  out.parser_version = std::string(kVersion);
  auto error = [&](int64_t line, std::string msg) {
    out.diagnostics.push_back(Diagnostic{Severity::kError, line, std::move(msg)});
    return out;
  };

  const std::string text = to_utf8_text(content);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return error(line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0),
                 std::string("report is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) return error(1, "report must be one JSON object");
  if (count_enflame_keys(j) < 2)
    return error(0,
                 "not an Enflame report: none of acc1_best, train_fps_mean, batch_size, ... found");

  core::RunRecord run;
  run.source_format = std::string(kName);
  run.status = core::RunStatus::kFinished;  // the report is written when training ends

  auto warn = [&](const std::string& key, std::string msg) {
    out.diagnostics.push_back(
        Diagnostic{Severity::kWarning, line_of_key(text, key), key + ": " + std::move(msg)});
  };
  // A number, or a numeric string (accepted with a note); anything else is a diagnostic.
  auto number = [&](const std::string& key) -> std::optional<double> {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (it->is_number()) {
      const double v = it->get<double>();
      if (std::isfinite(v)) return v;
      warn(key, "not a finite number");
      return std::nullopt;
    }
    if (it->is_string()) {
      if (auto v = parse_double(trim(it->get<std::string>())); v && std::isfinite(*v)) {
        out.diagnostics.push_back(Diagnostic{Severity::kInfo, line_of_key(text, key),
                                             key + ": number given as a string"});
        return v;
      }
    }
    warn(key, "expected a number, got " + it->dump());
    return std::nullopt;
  };
  auto positive_int = [&](const std::string& key) -> std::optional<int64_t> {
    auto v = number(key);
    if (!v) return std::nullopt;
    if (*v <= 0 || std::floor(*v) != *v) {
      warn(key, "expected a positive integer, got " + j[key].dump());
      return std::nullopt;
    }
    return static_cast<int64_t>(*v);
  };
  auto percent = [&](const std::string& key) -> std::optional<double> {
    auto v = number(key);
    if (!v) return std::nullopt;
    if (*v == 0) {
      out.diagnostics.push_back(Diagnostic{Severity::kInfo, line_of_key(text, key),
                                           key + ": 0 read as 'never evaluated'"});
      return std::nullopt;
    }
    if (*v < 0 || *v > 100) {
      warn(key, "accuracy outside 0..100");
      return std::nullopt;
    }
    if (*v <= 1.0) {
      warn(key, "value " + j[key].dump() + " is a fraction: stored as percent (x100)");
      return *v * 100.0;
    }
    return v;
  };

  for (const auto& [k, v] : j.items())
    run.set_param(k, v.is_string() ? v.get<std::string>() : v.dump());

  if (auto b = positive_int("batch_size")) run.batch_per_device.set(*b, Source::kLog, "batch_size");
  if (auto e = positive_int("epochs")) run.epochs_planned.set(*e, Source::kLog, "epochs");
  if (auto w = positive_int("world_size")) run.world_size.set(*w, Source::kLog, "world_size");
  if (auto g = positive_int("global_batch")) run.global_batch.set(*g, Source::kLog, "global_batch");
  if (j.contains("epochs_completed")) {
    auto c = number("epochs_completed");
    if (c && *c >= 0) run.epochs_completed = static_cast<int64_t>(*c);
  }
  if (auto it = j.find("precision"); it != j.end() && it->is_string()) {
    std::string p = it->get<std::string>();
    std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
    if (p == "fp32" || p == "tf32" || p == "amp" || p == "fp16" || p == "bf16")
      run.precision.set(p, Source::kLog, "precision");
    else
      warn("precision", "unknown precision '" + p + "' (kept as a param only)");
  }
  if (auto it = j.find("status"); it != j.end()) {
    const std::string s = it->is_string() ? it->get<std::string>() : it->dump();
    if (s == "success" || s == "finished")
      run.status = core::RunStatus::kFinished;
    else if (s == "aborted")
      run.status = core::RunStatus::kAborted;
    else if (s == "fail" || s == "failed")
      run.status = core::RunStatus::kFailed;
    else if (s == "incomplete" || s == "interrupted" || s == "running")
      run.status = core::RunStatus::kIncomplete;
    else
      warn("status", "unknown status " + it->dump() + ": run taken as finished");
  }

  core::apply_user_facts(run, opt);
  core::derive_common(run, opt);  // no epochs: only sets the target

  auto& d = run.derived;
  d.best_top1 = percent("acc1_best");
  d.best_top5 = percent("acc5_best");
  d.summary_top1 = d.best_top1;
  d.summary_top5 = d.best_top5;
  if (auto t = number("training_time"); t && *t >= 0) d.wall_time_s = t;
  if (auto fps = number("train_fps_mean"); fps && *fps > 0) d.summary_total_ips = fps;
  const bool own_report = j.contains("total_ips") || j.contains("compute_ips");
  if (own_report) {
    const std::string window = "after skip_steps of each epoch, all ranks (rn50 trainer report)";
    if (auto v = number("total_ips"); v && *v > 0) {
      d.total_ips = v;
      d.total_ips_definition = "sum of images / sum of step seconds " + window;
    }
    if (auto v = number("compute_ips"); v && *v > 0) {
      d.compute_ips = v;
      d.compute_ips_definition = "sum of images / sum of (step - data) seconds " + window;
    }
  } else if (d.summary_total_ips) {
    d.total_ips_definition =
        "NULL: an Enflame report has no steady-window sum; summary_total_ips is Enflame "
        "train_fps_mean: mean of per-step fps after skip_steps";
  }
  if (auto tt = number("time_to_target_s"); tt && *tt >= 0) {
    auto target = number("target_top1");
    if (target && std::fabs(*target - opt.target_top1) < 1e-9) {
      d.time_to_target_s = tt;
      if (auto te = number("target_epoch")) d.target_epoch = static_cast<int64_t>(*te);
    } else {
      out.diagnostics.push_back(Diagnostic{
          Severity::kInfo, line_of_key(text, "time_to_target_s"),
          "time_to_target_s is for the report's target_top1, not the requested target: not used"});
    }
  }
  if (!d.best_top1 && !d.summary_total_ips && !d.wall_time_s)
    out.diagnostics.push_back(Diagnostic{
        Severity::kWarning, 0, "report has none of acc1_best, train_fps_mean, training_time"});

  out.runs.push_back(std::move(run));
  return out;
}

}  // namespace

std::unique_ptr<Parser> make_enflame_report_parser() {
  return std::make_unique<EnflameReportParser>();
}

}  // namespace rn50::parsers
