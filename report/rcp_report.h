// The MLPerf RCP check inside `rn50-exp report`: the time-to-train table's column "Epochs to
// target vs RCP" and the plot plots/epochs_to_target_vs_rcp.svg (docs/report.md).
#pragma once

#include <string>
#include <vector>

#include "report/analysis.h"
#include "report/report_model.h"

namespace rn50::report {

std::string rcp_column_title(const AnalysisOptions& opt);
// One time-to-train set (runs of one experiment, system and configuration).
Cell rcp_cell(const std::vector<const store::StoredRun*>& set, const AnalysisOptions& opt);
// One point per time-to-train set with a global batch and a converged mean.
Plot rcp_report_plot(const std::vector<store::StoredRun>& runs, const AnalysisOptions& opt);

}  // namespace rn50::report
