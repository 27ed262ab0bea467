// The analysis: pure functions from loaded runs to a Report (tables, header, warnings, plots).
// No SQL and no I/O here; write_report.h does the loading and writing.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/derive.h"
#include "report/report_model.h"
#include "store/queries.h"

namespace rn50::report {

struct AnalysisOptions {
  double target_top1 = core::kDefaultTargetTop1;  // percent
  double scaling_factor = 1.0;  // MLPerf scaling.json factor applied to olympic means
  std::string scaling_source;   // where the factor came from (named in the table)
  std::string title = "ResNet-50 benchmark report";
  std::string selection;   // human description of the filter, e.g. "experiment = airank"
  size_t max_curves = 12;  // more runs than this: curves are drawn per group (mean); run cards
                           // and curves over steps/time are drawn for at most this many runs
  size_t max_curve_points = 1000;  // per curve; longer series are thinned (series.h)
  // MLPerf RCP ruleset of the convergence check ("" = the newest compiled in).
  std::string rcp_ruleset;
};

// Key that defines "comparable" runs: speedups and medians never cross these.
struct ConfigKey {
  std::string precision;         // "?" when unknown
  std::optional<int64_t> batch;  // per device
  std::optional<int64_t> nodes;
  int64_t devices = 0;
  std::string set;  // an MLPerf run's set (mlperf_set_of): runs of two sets never share a group
  auto operator<=>(const ConfigKey&) const = default;
};
std::string describe(const ConfigKey& k, bool with_nodes);

Report build_report(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt);

// Each table appends to `warnings` what makes its own numbers non-comparable.
Table summary_table(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt,
                    std::vector<std::string>& warnings);
Table scaling_table(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt,
                    std::vector<std::string>& warnings);
Table time_to_train_table(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt,
                          std::vector<std::string>& warnings);
// MLPerf's results table of the selected MLPerf runs: one row per set, sorted by score.
Table mlperf_results_table(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt,
                           std::vector<std::string>& warnings);
Table accuracy_table(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt,
                     std::vector<std::string>& warnings);
Table runs_detail_table(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt);

std::vector<std::pair<std::string, std::string>> report_header(
    const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt);
// Warnings about the selection as a whole (unfinished runs, differing batch sizes, ...).
std::vector<std::string> selection_warnings(const std::vector<store::StoredRun>& runs);

std::vector<Plot> build_plots(const std::vector<store::StoredRun>& runs,
                              const AnalysisOptions& opt);

// Cards for the runs of the built-in trainer (all of them, or none with `note` saying why when
// there are more than opt.max_curves).
std::vector<RunCard> run_cards(const std::vector<store::StoredRun>& runs,
                               const AnalysisOptions& opt, std::string& note);

// The runs whose metric history the curves over steps and time and the step-time histogram
// draw: every selected run when there are at most opt.max_curves, else the runs of the built-in
// trainer when there are at most that many, else none (`why_none` says so). write_report loads
// curve_metric_series() of exactly these runs into run.metrics; no other run's history is read.
std::vector<const store::StoredRun*> curve_runs(const std::vector<store::StoredRun>& runs,
                                                const AnalysisOptions& opt,
                                                std::string* why_none = nullptr);
// (metric key, level) pairs the curves read.
const std::vector<std::pair<std::string, std::string>>& curve_metric_series();

// "#1, #2, #5" (or "12 runs" when there are many).
std::string id_list(const std::vector<const store::StoredRun*>& runs, size_t max_ids = 6);
// The note for configurations without a 1-device baseline when there are more than a few (a
// whole MLPerf round has one per set): one sentence listing them. Nullopt for three or fewer,
// which each table words one by one.
std::optional<std::string> missing_baselines_note(const std::set<std::string>& configs,
                                                  const std::string& what);
// "ORG/SYSTEM: #1, #2" for a group of one MLPerf set (ConfigKey::set), else the run ids.
std::string runs_cell_text(const std::string& set,
                           const std::vector<const store::StoredRun*>& runs);

}  // namespace rn50::report
