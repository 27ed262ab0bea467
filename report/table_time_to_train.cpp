// Time-to-train table, MLPerf style (docs/report.md "Time to train").
#include <algorithm>
#include <map>
#include <tuple>

#include "core/run_record.h"
#include "report/analysis.h"
#include "report/rcp_report.h"
#include "report/run_values.h"
#include "report/set_score.h"
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
      "Sets of repeated runs: same experiment, same set (where the logs come from: "
      "<org>/results/<system>/<benchmark> of an MLPerf results tree, else the log's folder; never "
      "the system name a log prints), precision, batch per device and devices. A "
      "run converged when it finished (MLPerf: run_stop success) and an evaluation reached top-1 "
      "≥ " +
      target +
      " %. Its score in minutes: run_start → run_stop for MLPerf logs (the official score), "
      "first step → first evaluation ≥ target for other origins. Olympic mean: 5 runs, drop the "
      "fastest and slowest; one non-converged run counts as the dropped slowest, more than one "
      "gives no score" +
      (!opt.scaling_source.empty()
           ? "; multiplied by the scaling factor " + fmt_shortest(opt.scaling_factor) + " (" +
                 opt.scaling_source + ", given for every set)"
           : "; multiplied by the set's own scaling factor (scaling.json in its folder) when it "
             "has one") +
      ". Runs tagged role=accuracy or role=throughput are left out.";
  t.columns = {"Set",          "Devices",   "Converged/total", "Olympic mean (min)",
               "Median (min)", "Min (min)", "Max (min)",       "Epochs to target (median)",
               "Per-run (min)"};
  t.columns.push_back(rcp_column_title(opt));  // MLPerf's convergence check of the set
  t.columns.push_back("Scaling factor");
  std::map<SetKey, std::vector<const StoredRun*>> sets;
  std::map<std::string, std::vector<const StoredRun*>> by_role;  // role -> runs left out
  std::vector<const StoredRun*> no_eval;
  for (const auto& r : all) {
    const std::string ro = role(r);
    if (ro == "accuracy" || ro == "throughput") {
      by_role[ro].push_back(&r);
      continue;
    }
    // An MLPerf run without an evaluation is one that did not converge: it stays in its set.
    if (!has_evaluations(r) && !is_mlperf(r)) {
      no_eval.push_back(&r);
      continue;
    }
    ConfigKey c{precision_label(r), r.run.batch_per_device.value, std::nullopt,
                devices(r).value_or(0)};
    sets[SetKey{r.experiment, set_key(r), c}].push_back(&r);
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
    const SetScore sc =
        score_set(runs, opt.target_top1, set_scaling(runs, opt.scaling_factor, opt.scaling_source));
    std::string per_run;
    if (runs.size() <= kMaxListed) {
      for (const auto& [m, text] : sc.converged_text)
        per_run += (per_run.empty() ? "" : ", ") + text;
      for (const auto& f : sc.failures) per_run += (per_run.empty() ? "" : ", ") + f;
    } else {
      // A set of hundreds of runs would make an unreadable cell: counts, and the Runs table.
      per_run = std::to_string(sc.minutes.size()) + " converged, " +
                std::to_string(sc.failures.size()) +
                " not converged (per-run values in the Runs table)";
    }
    const std::string label = set_label(*runs.front());
    if (sc.untimed)
      t.notes.push_back(describe(key.config, false) + " (" + label +
                        "): " + std::to_string(sc.untimed) +
                        " converged runs have no timestamps and cannot be scored.");

    std::vector<Cell> row;
    row.push_back(Cell::str(key.experiment + " / " + label + " (" + key.config.precision +
                            ", batch " +
                            (key.config.batch ? std::to_string(*key.config.batch) : "?") + ")"));
    row.push_back(key.config.devices ? Cell::integer(key.config.devices) : Cell::na());
    row.push_back(Cell::str(std::to_string(sc.minutes.size()) + "/" + std::to_string(sc.total())));
    row.push_back(sc.olympic.score ? Cell::num(*sc.olympic.score, 4)
                                   : Cell::na("no score: " + sc.olympic.reason));
    if (auto m = median_stats(sc.minutes)) {
      row.push_back(Cell::num(m->median, 4));
      row.push_back(Cell::num(m->min, 4));
      row.push_back(Cell::num(m->max, 4));
    } else {
      for (int i = 0; i < 3; ++i) row.push_back(Cell::na("n/a (no converged run)"));
    }
    auto e = median_stats(sc.epochs);
    row.push_back(e ? Cell::num(e->median, e->median == static_cast<int64_t>(e->median) ? 0 : 1)
                    : Cell::na());
    row.push_back(Cell::str(per_run));
    row.push_back(rcp_cell(runs, opt));
    row.push_back(sc.scaling.source.empty()
                      ? Cell::str("none")
                      : Cell{fmt_shortest(sc.scaling.factor) + " (" + sc.scaling.source + ")",
                             sc.scaling.factor, false});
    t.rows.push_back(std::move(row));
    if (sc.olympic.score && sc.total() > 5)
      warnings.push_back("Set " + key.experiment + " / " + label + " has " +
                         std::to_string(sc.total()) + " runs; MLPerf scores exactly 5.");
  }
  return t;
}

}  // namespace rn50::report
