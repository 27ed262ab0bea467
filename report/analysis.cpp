// The analysis entry point (build_report: header, warnings, tables, plots in report order) and the
// helpers every table shares.
#include "report/analysis.h"

#include <algorithm>

#include "report/run_values.h"

namespace rn50::report {

Report build_report(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt) {
  Report rep;
  rep.title = opt.title;
  rep.cards = run_cards(runs, opt, rep.cards_note);
  rep.header = report_header(runs, opt);
  rep.warnings = selection_warnings(runs);
  rep.tables.push_back(summary_table(runs, opt, rep.warnings));
  rep.tables.push_back(scaling_table(runs, opt, rep.warnings));
  rep.tables.push_back(time_to_train_table(runs, opt, rep.warnings));
  if (std::any_of(runs.begin(), runs.end(), [](const store::StoredRun& r) { return is_mlperf(r); }))
    rep.tables.push_back(mlperf_results_table(runs, opt, rep.warnings));
  rep.tables.push_back(accuracy_table(runs, opt, rep.warnings));
  rep.tables.push_back(runs_detail_table(runs, opt));
  rep.plots = build_plots(runs, opt);
  return rep;
}

std::string describe(const ConfigKey& k, bool with_nodes) {
  std::string s = k.precision + ", batch " + (k.batch ? std::to_string(*k.batch) : "?") +
                  "/device, " + std::to_string(k.devices) +
                  (k.devices == 1 ? " device" : " devices");
  if (with_nodes && k.nodes)
    s += " on " + std::to_string(*k.nodes) + (*k.nodes == 1 ? " node" : " nodes");
  if (!k.set.empty()) s += " (" + k.set + ")";
  return s;
}

std::string id_list(const std::vector<const store::StoredRun*>& runs, size_t max_ids) {
  if (runs.size() > max_ids) return std::to_string(runs.size()) + " runs";
  std::string s;
  for (const auto* r : runs) {
    if (!s.empty()) s += ", ";
    s += '#';
    s += std::to_string(r->id);
  }
  return s;
}

std::optional<std::string> missing_baselines_note(const std::set<std::string>& configs,
                                                  const std::string& what) {
  if (configs.size() <= 3) return std::nullopt;
  std::string list;
  for (const auto& c : configs) list += (list.empty() ? "" : "; ") + c;
  return "No " + what + " for " + std::to_string(configs.size()) +
         " configurations: none has a 1-device run with the same precision and batch per device "
         "(MLPerf runs: of the same set): " +
         list + ".";
}

std::string runs_cell_text(const std::string& set,
                           const std::vector<const store::StoredRun*>& runs) {
  return set.empty() ? id_list(runs) : set + ": " + id_list(runs);
}

}  // namespace rn50::report
