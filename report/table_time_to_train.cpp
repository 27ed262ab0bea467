// Time-to-train table, MLPerf style (docs/report.md "Time to train").
#include <algorithm>
#include <map>
#include <tuple>

#include "core/run_record.h"
#include "report/analysis.h"
#include "report/rcp_report.h"
#include "report/run_values.h"
#include "report/stats.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

constexpr size_t kMaxListed = 10;  // per-run scores listed in one cell up to this many runs

struct SetKey {
  std::string experiment, system;
  ConfigKey config;
  auto operator<=>(const SetKey&) const = default;
};

}  // namespace

Table time_to_train_table(const std::vector<StoredRun>& all, const AnalysisOptions& opt,
                          std::vector<std::string>& warnings) {
  Table t;
  t.id = "time_to_train";
  t.title = "Time to train (MLPerf style)";
  const std::string target = fmt_fixed(opt.target_top1, 2);
  t.description =
      "Sets of repeated runs: same experiment, system (params system.system_name / "
      "submission_platform, else the log's folder), precision, batch per device and devices. A "
      "run converged when it finished (MLPerf: run_stop success) and an evaluation reached top-1 "
      "≥ " +
      target +
      " %. Its score in minutes: run_start → run_stop for MLPerf logs (the official score), "
      "first step → first evaluation ≥ target for other origins. Olympic mean: 5 runs, drop the "
      "fastest and slowest; one non-converged run counts as the dropped slowest, more than one "
      "gives no score" +
      (opt.scaling_factor != 1.0
           ? "; multiplied by the scaling factor " + fmt_shortest(opt.scaling_factor) + " (" +
                 opt.scaling_source + ")"
           : std::string()) +
      ". Runs tagged role=accuracy or role=throughput are left out.";
  t.columns = {"Set",          "Devices",   "Converged/total", "Olympic mean (min)",
               "Median (min)", "Min (min)", "Max (min)",       "Epochs to target (median)",
               "Per-run (min)"};
  t.columns.push_back(rcp_column_title(opt));  // MLPerf's convergence check of the set
  std::map<SetKey, std::vector<const StoredRun*>> sets;
  std::map<std::string, std::vector<const StoredRun*>> by_role;  // role -> runs left out
  std::vector<const StoredRun*> no_eval;
  for (const auto& r : all) {
    const std::string ro = role(r);
    if (ro == "accuracy" || ro == "throughput") {
      by_role[ro].push_back(&r);
      continue;
    }
    if (!has_evaluations(r)) {
      no_eval.push_back(&r);
      continue;
    }
    ConfigKey c{precision_label(r), r.run.batch_per_device.value, std::nullopt,
                devices(r).value_or(0)};
    sets[SetKey{r.experiment, system_label(r), c}].push_back(&r);
  }
  std::string left_out;  // "#7 tagged role=accuracy; #8 tagged role=throughput"
  for (const auto& [ro, runs] : by_role) {
    t.notes.push_back("Not in this table (tagged role=" + ro +
                      ", which time to train leaves out): " + id_list(runs) + ".");
    left_out += (left_out.empty() ? "" : "; ") + id_list(runs) + " tagged role=" + ro;
  }
  if (!no_eval.empty())
    t.notes.push_back("Not in this table (no evaluation of top-1): " + id_list(no_eval) + ".");
  if (sets.empty()) {
    if (all.empty())
      t.empty_reason = "No runs selected.";
    else if (no_eval.empty())
      t.empty_reason = "Every selected run is left out of time to train by its role (" + left_out +
                       "): runs that measure accuracy or throughput are not scored.";
    else if (left_out.empty())
      t.empty_reason = "No run has an evaluation (top-1), so no time to train exists.";
    else
      t.empty_reason = "No run is left to score: " + left_out + "; no evaluation of top-1 in " +
                       id_list(no_eval) + ".";
    return t;
  }
  for (const auto& [key, runs] : sets) {
    std::vector<double> scores, epochs;
    int64_t failed = 0, untimed = 0;
    std::vector<std::pair<double, std::string>> listing;  // per-run text, sorted by score
    std::vector<std::string> failures;
    for (const auto* r : runs) {
      const auto reach = target_reach(*r, opt.target_top1);
      const bool finished = r->run.status == core::RunStatus::kFinished;
      std::optional<double> minutes;
      if (is_mlperf(*r)) {
        if (r->run.derived.wall_time_s) minutes = *r->run.derived.wall_time_s / 60.0;
      } else if (reach.time_s) {
        minutes = *reach.time_s / 60.0;
      }
      if (finished && reach.reached) {
        if (!minutes) {
          ++untimed;
          continue;
        }
        scores.push_back(*minutes);
        if (reach.epoch) epochs.push_back(static_cast<double>(*reach.epoch));
        listing.emplace_back(*minutes, fmt_fixed(*minutes, 4));
      } else {
        ++failed;
        std::string why =
            !finished
                ? std::string(core::to_string(r->run.status))
                : "top-1 " + (best_top1(*r) ? fmt_fixed(*best_top1(*r), 2) : std::string("?")) +
                      " < target";
        std::string text = (minutes ? fmt_fixed(*minutes, 4) : std::string("-")) + " (#" +
                           std::to_string(r->id) + " " + why + ")";
        failures.push_back(text);
      }
    }
    std::sort(listing.begin(), listing.end());
    std::string per_run;
    if (runs.size() <= kMaxListed) {
      for (const auto& [m, s] : listing) per_run += (per_run.empty() ? "" : ", ") + s;
      for (const auto& f : failures) per_run += (per_run.empty() ? "" : ", ") + f;
    } else {
      // A set of hundreds of runs would make an unreadable cell: counts, and the Runs table.
      per_run = std::to_string(listing.size()) + " converged, " + std::to_string(failures.size()) +
                " not converged (per-run values in the Runs table)";
    }
    if (untimed)
      t.notes.push_back(describe(key.config, false) + " (" + key.system +
                        "): " + std::to_string(untimed) +
                        " converged runs have no timestamps and cannot be scored.");

    std::vector<Cell> row;
    row.push_back(Cell::str(key.experiment + " / " + key.system + " (" + key.config.precision +
                            ", batch " +
                            (key.config.batch ? std::to_string(*key.config.batch) : "?") + ")"));
    row.push_back(key.config.devices ? Cell::integer(key.config.devices) : Cell::na());
    row.push_back(Cell::str(std::to_string(scores.size()) + "/" +
                            std::to_string(scores.size() + failed + untimed)));
    const auto ol = olympic_mean(scores, failed + untimed, 5, opt.scaling_factor);
    row.push_back(ol.score ? Cell::num(*ol.score, 4) : Cell::na("no score: " + ol.reason));
    if (auto m = median_stats(scores)) {
      row.push_back(Cell::num(m->median, 4));
      row.push_back(Cell::num(m->min, 4));
      row.push_back(Cell::num(m->max, 4));
    } else {
      for (int i = 0; i < 3; ++i) row.push_back(Cell::na("n/a (no converged run)"));
    }
    auto e = median_stats(epochs);
    row.push_back(e ? Cell::num(e->median, e->median == static_cast<int64_t>(e->median) ? 0 : 1)
                    : Cell::na());
    row.push_back(Cell::str(per_run));
    row.push_back(rcp_cell(runs, opt));
    t.rows.push_back(std::move(row));
    if (ol.score && scores.size() + failed + untimed > 5)
      warnings.push_back("Set " + key.experiment + " / " + key.system + " has " +
                         std::to_string(scores.size() + failed + untimed) +
                         " runs; MLPerf scores exactly 5.");
  }
  return t;
}

}  // namespace rn50::report
