// Accuracy table, NGC style (docs/report.md "Accuracy").
#include <map>
#include <tuple>

#include "report/analysis.h"
#include "report/run_values.h"
#include "report/stats.h"
#include "report/text_format.h"

namespace rn50::report {

Table accuracy_table(const std::vector<StoredRun>& all, const AnalysisOptions& opt,
                     std::vector<std::string>& warnings) {
  Table t;
  t.id = "accuracy";
  t.title = "Accuracy (NGC style)";
  t.description =
      "Runs grouped by planned epochs and precision (MLPerf runs also by their set). Top-1/top-5: "
      "the best evaluation of each "
      "run (percent); mean +/- sample standard deviation over the runs, n runs.";
  t.columns = {
      "Epochs",        "Precision", "n", "Top-1 (%) mean +/- std", "Top-5 (%) mean +/- std",
      "Top-1 min-max", "Runs"};
  // Planned epochs, precision, MLPerf set (empty for other origins).
  std::map<std::tuple<std::optional<int64_t>, std::string, std::string>,
           std::vector<const StoredRun*>>
      groups;
  std::vector<const StoredRun*> no_eval;
  for (const auto& r : all) {
    if (!best_top1(r)) {
      no_eval.push_back(&r);
      continue;
    }
    auto epochs = r.run.epochs_planned.value;
    if (!epochs) epochs = r.run.epochs_completed;
    groups[{epochs, precision_label(r), mlperf_set_of(r)}].push_back(&r);
  }
  if (!no_eval.empty())
    t.notes.push_back("Not in this table (no evaluation of top-1): " + id_list(no_eval) + ".");
  if (groups.empty()) {
    t.empty_reason = all.empty() ? "No runs selected." : "No run has an evaluation (top-1).";
    return t;
  }
  std::vector<std::string> small;
  auto pm = [](const MeanStd& m) {
    return m.std ? fmt_fixed(m.mean, 2) + " +/- " + fmt_fixed(*m.std, 2)
                 : fmt_fixed(m.mean, 2) + " (one run: no std)";
  };
  for (const auto& [key, runs] : groups) {
    std::vector<double> t1, t5;
    for (const auto* r : runs) {
      t1.push_back(*best_top1(*r));
      if (auto v = best_top5(*r)) t5.push_back(*v);
    }
    const auto m1 = *mean_std(t1);
    const auto m5 = mean_std(t5);
    const auto mm = *median_stats(t1);
    std::vector<Cell> row;
    const auto& [epochs, precision, set] = key;
    row.push_back(epochs ? Cell::integer(*epochs) : Cell::na());
    row.push_back(Cell::str(precision));
    row.push_back(Cell::integer(m1.n));
    row.push_back(Cell{pm(m1), m1.mean, false});
    row.push_back(m5 ? Cell{pm(*m5), m5->mean, false} : Cell::na());
    row.push_back(Cell::str(fmt_fixed(mm.min, 2) + " - " + fmt_fixed(mm.max, 2)));
    row.push_back(Cell::str(runs_cell_text(set, runs)));
    t.rows.push_back(std::move(row));
    if (runs.size() < 3)
      small.push_back((epochs ? std::to_string(*epochs) : std::string("?")) + " epochs " +
                      precision + (set.empty() ? "" : " " + set) +
                      " (n=" + std::to_string(runs.size()) + ")");
  }
  if (!small.empty()) {
    std::string s;
    for (const auto& x : small) s += (s.empty() ? "" : "; ") + x;
    warnings.push_back("Accuracy means over fewer than 3 runs: " + s +
                       ". A standard deviation needs at least 2.");
  }
  return t;
}

}  // namespace rn50::report
