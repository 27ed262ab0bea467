// The report's plots by kind; build_plots (analysis.h) puts them in report order.
#pragma once

#include <vector>

#include "report/analysis.h"

namespace rn50::report {

// Loss, top-1/top-5, learning rate and throughput against step and wall time, then the
// step-time histogram: the runs of curve_runs() (plots_curves.cpp).
std::vector<Plot> curve_plots(const std::vector<store::StoredRun>& runs,
                              const AnalysisOptions& opt);

// Throughput vs devices (log-log, ideal line) and scaling efficiency (plots_scaling.cpp).
std::vector<Plot> scaling_plots(const std::vector<store::StoredRun>& runs);

}  // namespace rn50::report
