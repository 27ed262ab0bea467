// Plots of `rn50-exp compare` and the report's RCP plot: candidate vs baseline throughput per
// configuration with interval bars, and epochs-to-target against the MLPerf RCP band.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/compare.h"
#include "report/rcp_check.h"
#include "report/report_model.h"

namespace rn50::report {

// plots/compare_throughput.svg: per matched group, the mean total_ips of each side with its own
// 95 % bootstrap interval (within-run: block bootstrap of the iteration rate).
Plot compare_throughput_plot(const std::vector<GroupResult>& groups);

// One set of runs drawn against the RCP band.
struct RcpPlotPoint {
  std::string label;
  int64_t batch = 0;
  double mean = 0;        // the set's epochs to converge (olympic mean as the checker takes it)
  double lo = 0, hi = 0;  // fastest and slowest converged run
  bool passes = false;
};
// The point of a checked set, labelled; nullopt when the set has no batch or no converged mean.
std::optional<RcpPlotPoint> rcp_plot_point(const RcpSetResult& r, std::string label);

// x: global batch (log2), y: epochs. The RCP mean through the pruned reference points (linear
// interpolation, as the checker), the fastest accepted mean (the band's lower edge; a set below it
// fails), reference points as markers, one marker per set with its min-max whisker.
Plot rcp_band_plot(std::string id, std::string title, const RcpTable& table,
                   const std::vector<RcpPlotPoint>& points, const std::string& missing_reason);

// plots/compare_rcp.svg: both sides of every group.
Plot compare_rcp_plot(const std::vector<GroupResult>& groups, const RcpTable& table);

}  // namespace rn50::report
