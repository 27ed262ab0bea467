// One card per run of the built-in trainer, first in the report (docs/report.md "Run cards"):
// what a person who just trained a model looks at before any table.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "report/analysis.h"
#include "report/run_values.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

// "311.68 s (5.2 min)": seconds exactly as the tables print them, and a unit a person reads.
std::string seconds_text(double s) {
  std::string out = fmt_fixed(s, 2) + " s";
  if (s >= 2 * 3600)
    out += " (" + fmt_fixed(s / 3600, 1) + " h)";
  else if (s >= 120)
    out += " (" + fmt_fixed(s / 60, 1) + " min)";
  return out;
}

// The trainer numbers epochs from 0 (docs/native-log.md); a person counts from 1.
std::string epoch_text(const StoredRun& r, int64_t epoch) {
  std::string s = "epoch " + std::to_string(epoch + 1);
  if (r.run.epochs_planned.value) s += " of " + std::to_string(*r.run.epochs_planned.value);
  return s + " (logged as epoch " + std::to_string(epoch) + ")";
}

std::string status_text(const StoredRun& r) {
  switch (r.run.status) {
    case core::RunStatus::kFinished:
      return "finished (run_stop: success)";
    case core::RunStatus::kIncomplete:
      return "incomplete: the log ends without run_stop (interrupted, still running or cut)";
    case core::RunStatus::kAborted:
      return "aborted: stopped before the end (run_stop: aborted)";
    case core::RunStatus::kFailed: {
      std::string s = "failed";
      const std::string why = param_value(r, "runner.reason");
      const std::string codes = param_value(r, "runner.exit_codes");
      if (!why.empty()) s += ": " + why;
      if (!codes.empty()) s += " (exit codes " + codes + ")";
      return s;
    }
  }
  return std::string(core::to_string(r.run.status));
}

std::string setup_text(const StoredRun& r) {
  std::string s;
  if (auto d = devices(r))
    s = std::to_string(*d) + (*d == 1 ? " device" : " devices");
  else
    s = "devices unknown";
  if (r.run.nodes.value)
    s += " on " + std::to_string(*r.run.nodes.value) +
         (*r.run.nodes.value == 1 ? " node" : " nodes");
  s += ", " + (r.run.precision.value ? *r.run.precision.value : std::string("precision unknown"));
  if (r.run.batch_per_device.value)
    s += ", batch " + std::to_string(*r.run.batch_per_device.value) + " per device";
  if (r.run.global_batch.value) s += " (global " + std::to_string(*r.run.global_batch.value) + ")";
  const std::string device = param_value(r, "device");
  if (!device.empty()) s += ", " + device;
  return s;
}

std::string epochs_text(const StoredRun& r) {
  const auto done = r.run.epochs_completed;
  const auto planned = r.run.epochs_planned.value;
  return (done ? std::to_string(*done) : std::string("?")) + " of " +
         (planned ? std::to_string(*planned) : std::string("?")) + " planned";
}

std::string best_text(const StoredRun& r) {
  const auto top1 = best_top1(r);
  if (!top1) return "no evaluation in the log";
  std::string s = fmt_fixed(*top1, 2) + " %";
  if (const auto epoch = best_top1_epoch(r)) {
    s += " after " + epoch_text(r, *epoch);
    for (const auto& e : r.run.epochs)
      if (e.epoch == *epoch && e.time && r.run.start_time) {
        s += ", " + seconds_text(*e.time - *r.run.start_time) + " after run_start";
        break;
      }
  }
  if (auto t5 = best_top5(r)) s += "; top-5 " + fmt_fixed(*t5, 2) + " %";
  return s;
}

std::string target_text(const StoredRun& r, double target) {
  if (!has_evaluations(r)) return "no evaluation, so no time to target";
  const auto reach = target_reach(r, target);
  if (!reach.reached)
    return "not reached: best top-1 " + fmt_fixed(*best_top1(r), 2) + " % < " +
           fmt_fixed(target, 2) + " %";
  std::string s = "reached";
  if (reach.time_s) s += " after " + seconds_text(*reach.time_s);
  if (reach.epoch) s += " at " + epoch_text(r, *reach.epoch);
  if (!reach.time_s) s += " (no timestamps: time unknown)";
  return s;
}

std::string throughput_text(const StoredRun& r) {
  const auto& d = r.run.derived;
  if (!d.total_ips) {
    const std::string& why = d.total_ips_definition;
    return "n/a: " +
           (why.rfind("NULL: ", 0) == 0 ? why.substr(6) : std::string("no steady window"));
  }
  std::string s = fmt_fixed(*d.total_ips, 2) + " img/s with data loading (total_ips)";
  if (d.compute_ips)
    s += ", " + fmt_fixed(*d.compute_ips, 2) + " img/s without data wait (compute_ips)";
  return s;
}

std::string step_time_text(const StoredRun& r) {
  const auto& d = r.run.derived;
  if (!d.step_time_p50 || !d.step_time_p90 || !d.step_time_p99)
    return "n/a: no timed training steps in the steady window";
  return "p50 " + fmt_fixed(*d.step_time_p50 * 1e3, 1) + " ms, p90 " +
         fmt_fixed(*d.step_time_p90 * 1e3, 1) + " ms, p99 " + fmt_fixed(*d.step_time_p99 * 1e3, 1) +
         " ms per step (steady window)";
}

RunCard card(const StoredRun& r, const AnalysisOptions& opt) {
  RunCard c;
  c.run_id = r.id;
  c.title = run_label(r);
  auto add = [&](std::string k, std::string v) {
    c.items.emplace_back(std::move(k), std::move(v));
  };
  add("Status", status_text(r));
  add("Setup", setup_text(r));
  add("Epochs", epochs_text(r));
  add("Best top-1", best_text(r));
  add("Time to target " + fmt_fixed(opt.target_top1, 2) + " %", target_text(r, opt.target_top1));
  add("Throughput", throughput_text(r));
  if (r.run.derived.total_ips && !r.run.derived.total_ips_definition.empty())
    add("Throughput window", r.run.derived.total_ips_definition);
  add("Step time", step_time_text(r));
  add("Wall time", r.run.derived.wall_time_s
                       ? seconds_text(*r.run.derived.wall_time_s) + ", run_start to run_stop"
                       : "n/a: the log has no end record (run_stop)");
  const std::string ro = role(r);
  if (ro == "accuracy")
    add("Role",
        "accuracy: it gives the summary its top-1 and is left out of the summary's time and "
        "throughput columns, the scaling table and time to train; its own numbers are here");
  else if (ro == "throughput")
    add("Role", "throughput: left out of time to train; its own numbers are here");
  const std::filesystem::path source(r.source_path);
  const std::string run_id = runner_run_id(r);
  if (source.filename() == "manifest.json") {
    add("Log", "none: the run ended before its log was written; the runner stored its verdict");
    add("Manifest", r.source_path);
  } else {
    add("Log", r.source_path);
    if (!run_id.empty()) {
      add("Manifest", (source.parent_path() / "manifest.json").string() + " (rank output in " +
                          (source.parent_path() / "logs").string() + "/)");
    } else {
      add("Manifest", "none: ingested from a log, not started by rn50-exp run");
    }
  }
  if (!run_id.empty())
    add("Run id", run_id + " (config hash, matrix keys, attempt: rn50-exp runs show " +
                      std::to_string(r.id) + ")");
  return c;
}

}  // namespace

std::vector<RunCard> run_cards(const std::vector<StoredRun>& runs, const AnalysisOptions& opt,
                               std::string& note) {
  note.clear();
  std::vector<const StoredRun*> own;
  for (const auto& r : runs)
    if (is_own_run(r)) own.push_back(&r);
  if (own.size() > opt.max_curves) {
    note = std::to_string(own.size()) +
           " runs of the built-in trainer are selected; cards are shown for at most " +
           std::to_string(opt.max_curves) +
           " (select fewer with --runs, --tag or --experiment). Every run is in the Runs table.";
    return {};
  }
  std::vector<RunCard> cards;
  for (const auto* r : own) cards.push_back(card(*r, opt));
  return cards;
}

}  // namespace rn50::report
