// Per-run detail table (docs/report.md "Runs").
#include <algorithm>
#include <map>
#include <set>

#include "report/analysis.h"
#include "report/run_values.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

Cell opt_num(const std::optional<double>& v, int decimals, double scale = 1.0) {
  return v ? Cell::num(*v * scale, decimals) : Cell::na();
}
Cell opt_int(const std::optional<int64_t>& v) { return v ? Cell::integer(*v) : Cell::na(); }

}  // namespace

Table runs_detail_table(const std::vector<StoredRun>& runs, const AnalysisOptions& opt) {
  Table t;
  t.id = "runs";
  t.title = "Runs";
  t.description =
      "Every selected run with the same definitions applied whatever its origin. total/compute "
      "img/s: steady window (our definition); summary: what the log's own summary states. Time "
      "to target uses the report's target " +
      fmt_fixed(opt.target_top1, 2) +
      " %; wall time is first step → end record. Step times are per-iteration percentiles. "
      "Tags: the labels given at ingest and the experiment's role; the bookkeeping tags of "
      "`rn50-exp run` (run id, config hash, matrix keys, attempt) are listed by `rn50-exp runs "
      "show ID`. A plain n/a: the log does not state the value and it cannot be computed from "
      "what the log states.";
  t.columns = {"ID",
               "Name",
               "Origin",
               "Experiment",
               "Status",
               "Tags",
               "Nodes",
               "Devices",
               "Precision",
               "Batch/device",
               "Epochs done/planned",
               "Best top-1 (%)",
               "Best epoch",
               "Best top-5 (%)",
               "total img/s",
               "compute img/s",
               "summary total img/s",
               "summary compute img/s",
               "Time to target (s)",
               "Wall time (s)",
               "Step p50/p90/p99 (ms)"};
  if (runs.empty()) {
    t.empty_reason = "No runs selected.";
    return t;
  }
  for (const auto& r : runs) {
    const auto& d = r.run.derived;
    std::vector<Cell> row;
    row.push_back(Cell::integer(r.id));
    row.push_back(Cell::str(r.run.name));
    row.push_back(Cell::str(r.run.source_format));
    row.push_back(Cell::str(r.experiment));
    row.push_back(Cell::str(std::string(core::to_string(r.run.status))));
    row.push_back(Cell::str(user_tags_text(r)));
    row.push_back(opt_int(r.run.nodes.value));
    row.push_back(opt_int(r.run.world_size.value));
    row.push_back(r.run.precision.value ? Cell::str(*r.run.precision.value) : Cell::na());
    row.push_back(opt_int(r.run.batch_per_device.value));
    row.push_back(Cell::str(
        (r.run.epochs_completed ? std::to_string(*r.run.epochs_completed) : std::string("?")) +
        "/" +
        (r.run.epochs_planned.value ? std::to_string(*r.run.epochs_planned.value)
                                    : std::string("?"))));
    const bool evaluated = has_evaluations(r);
    row.push_back(evaluated ? opt_num(best_top1(r), 2) : Cell::na("n/a (no evaluation)"));
    row.push_back(opt_int(evaluated ? best_top1_epoch(r) : std::nullopt));
    row.push_back(evaluated ? opt_num(best_top5(r), 2) : Cell::na("n/a (no evaluation)"));
    row.push_back(opt_num(d.total_ips, 2));
    row.push_back(opt_num(d.compute_ips, 2));
    row.push_back(opt_num(d.summary_total_ips, 2));
    row.push_back(opt_num(d.summary_compute_ips, 2));
    const auto reach = target_reach(r, opt.target_top1);
    row.push_back(reach.time_s    ? Cell::num(*reach.time_s, 2)
                  : reach.reached ? Cell::na("n/a (no timestamps)")
                  : evaluated     ? Cell::na("not reached")
                                  : Cell::na("n/a (no evaluation)"));
    row.push_back(opt_num(d.wall_time_s, 2));
    if (d.step_time_p50 && d.step_time_p90 && d.step_time_p99)
      row.push_back(Cell{fmt_fixed(*d.step_time_p50 * 1e3, 1) + " / " +
                             fmt_fixed(*d.step_time_p90 * 1e3, 1) + " / " +
                             fmt_fixed(*d.step_time_p99 * 1e3, 1),
                         *d.step_time_p50 * 1e3, false});
    else
      row.push_back(Cell::na());
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace rn50::report
