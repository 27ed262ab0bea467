// The round's results table: MLPerf's own results table for the selected MLPerf runs, one row per
// set (docs/report.md).
#include <algorithm>
#include <map>
#include <set>

#include "report/analysis.h"
#include "report/run_values.h"
#include "report/set_score.h"
#include "report/text_format.h"

namespace rn50::report {
namespace {

Cell text_or_unknown(const std::string& v, const std::string& what) {
  return v.empty() ? Cell::na("unknown (no " + what + " in the system description)") : Cell::str(v);
}

}  // namespace

Table mlperf_results_table(const std::vector<StoredRun>& all, const AnalysisOptions& opt,
                           std::vector<std::string>& warnings) {
  Table t;
  t.id = "mlperf_results";
  t.title = "MLPerf results (one row per submitted set)";
  t.description =
      "The selected MLPerf runs as MLPerf's results table shows a round: one row per set, the "
      "folder <org>/results/<system>/<benchmark> of a results tree (else the logs' folder), "
      "sorted by score. Organisation, system, division, availability, accelerator, devices and "
      "framework come from the set's system description (<org>/systems/<system>.json or a "
      "system_*.json beside the logs). Score: MLPerf's olympic mean of the run_start -> run_stop "
      "minutes of 5 runs (fastest and slowest dropped; one run that did not converge counts as "
      "the dropped slowest, more than one gives no score), multiplied by the set's scaling "
      "factor.";
  std::map<std::pair<std::string, std::string>, std::vector<const StoredRun*>> sets;
  std::set<std::string> experiments;
  for (const auto& r : all) {
    if (!is_mlperf(r)) continue;
    sets[{r.experiment, set_key(r)}].push_back(&r);
    experiments.insert(r.experiment);
  }
  if (sets.empty()) {
    t.empty_reason = "No MLPerf run is selected.";
    return t;
  }
  const bool with_experiment = experiments.size() > 1;
  if (with_experiment) t.columns.push_back("Experiment");
  for (const char* c : {"Organisation", "System", "Division", "Availability", "Accelerator",
                        "Devices", "Framework", "Score (min)", "Converged/total", "Scaling factor"})
    t.columns.push_back(c);

  struct Row {
    std::optional<double> score;
    std::string order;
    std::vector<Cell> cells;
  };
  std::vector<Row> rows;
  for (const auto& [key, runs] : sets) {
    const StoredRun& first = *runs.front();
    const SetScore sc =
        score_set(runs, opt.target_top1, set_scaling(runs, opt.scaling_factor, opt.scaling_source));
    Row row;
    row.score = sc.olympic.score;
    const std::string org = first.set_org ? *first.set_org : param_value(first, "system.submitter");
    const std::string system = first.set_system ? *first.set_system : set_label(first);
    row.order = org + "/" + system;
    if (with_experiment) row.cells.push_back(Cell::str(key.first));
    row.cells.push_back(org.empty() ? Cell::na("unknown (not in an MLPerf results tree)")
                                    : Cell::str(org));
    row.cells.push_back(Cell::str(system));
    row.cells.push_back(text_or_unknown(param_value(first, "system.division"), "division"));
    row.cells.push_back(text_or_unknown(param_value(first, "system.status"), "status"));
    const bool cpu_only = param_value(first, "system.devices_are") == "host processors";
    if (cpu_only) {
      const std::string cpu = param_value(first, "system.host_processor_model_name");
      row.cells.push_back(Cell::str("none (CPU-only" + (cpu.empty() ? "" : ": " + cpu) + ")"));
    } else {
      row.cells.push_back(
          text_or_unknown(param_value(first, "system.accelerator_model_name"), "accelerator"));
    }
    if (const auto d = devices(first)) {
      row.cells.push_back(
          cpu_only ? Cell{std::to_string(*d) + " host processors", static_cast<double>(*d), false}
                   : Cell::integer(*d));
    } else {
      row.cells.push_back(Cell::na("unknown (no system description with node and device counts)"));
    }
    row.cells.push_back(text_or_unknown(param_value(first, "system.framework"), "framework"));
    row.cells.push_back(sc.olympic.score ? Cell::num(*sc.olympic.score, 4)
                                         : Cell::na("no score: " + sc.olympic.reason));
    row.cells.push_back(
        Cell::str(std::to_string(sc.minutes.size()) + "/" + std::to_string(sc.total())));
    row.cells.push_back(sc.scaling.source.empty()
                            ? Cell::str("none")
                            : Cell{fmt_shortest(sc.scaling.factor) + " (" + sc.scaling.source + ")",
                                   sc.scaling.factor, false});
    if (sc.olympic.score && sc.total() > 5)
      warnings.push_back("MLPerf set " + row.order + " has " + std::to_string(sc.total()) +
                         " runs; MLPerf scores exactly 5.");
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.score.has_value() != b.score.has_value()) return a.score.has_value();
    if (a.score && b.score && *a.score != *b.score) return *a.score < *b.score;
    return a.order < b.order;
  });
  for (auto& r : rows) t.rows.push_back(std::move(r.cells));
  return t;
}

}  // namespace rn50::report
