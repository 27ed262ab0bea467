#include "report/rcp_report.h"

#include <cmath>
#include <map>

#include "report/compare_plots.h"
#include "report/rcp_check.h"
#include "report/run_values.h"

namespace rn50::report {

std::string rcp_column_title(const AnalysisOptions& opt) {
  return "Epochs to target vs RCP (MLPerf " + rcp_table(opt.rcp_ruleset).ruleset + ")";
}

Cell rcp_cell(const std::vector<const store::StoredRun*>& set, const AnalysisOptions& opt) {
  const auto r = rcp_check_runs(rcp_table(opt.rcp_ruleset), set, opt.target_top1);
  return Cell::str(describe(r));
}

Plot rcp_report_plot(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt) {
  // The time-to-train table's sets: experiment, system, precision, batch per device, devices;
  // runs with evaluations, not tagged role=accuracy or role=throughput.
  using Key = std::tuple<std::string, std::string, std::string, std::optional<int64_t>, int64_t>;
  std::map<Key, std::vector<const store::StoredRun*>> sets;
  for (const auto& r : runs) {
    const std::string ro = role(r);
    if (ro == "accuracy" || ro == "throughput" || !has_evaluations(r)) continue;
    sets[Key{r.experiment, set_key(r), precision_label(r), r.run.batch_per_device.value,
             devices(r).value_or(0)}]
        .push_back(&r);
  }
  const auto& table = rcp_table(opt.rcp_ruleset);
  std::vector<RcpPlotPoint> pts;
  for (const auto& [key, set] : sets) {
    const auto r = rcp_check_runs(table, set, opt.target_top1);
    const auto& [experiment, where, precision, batch, devs] = key;
    auto pt = rcp_plot_point(r, set_label(*set.front()) + " x" + std::to_string(devs));
    if (pt) pts.push_back(std::move(*pt));
  }
  return rcp_band_plot("epochs_to_target_vs_rcp", "Epochs to target vs MLPerf RCP", table, pts,
                       "no time-to-train set has converged runs with a known global batch");
}

}  // namespace rn50::report
