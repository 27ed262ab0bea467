#include "report/compare_plots.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "report/svg_chart.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

constexpr int kSamplesPerSegment = 24;  // the band's lower edge is not linear between references
// Palette entries for the sets: red (index 2) is the band's lower edge.
constexpr size_t kPointColors[] = {0, 1, 4, 6, 8, 3, 5, 7, 9};

// A series drawn as lines and/or markers in one colour.
ChartSeries series(std::string label, bool line, bool markers, bool dashed, std::string color) {
  ChartSeries s;
  s.label = std::move(label);
  s.line = line;
  s.markers = markers;
  s.dashed = dashed;
  s.color = std::move(color);
  return s;
}

Plot plot(std::string id, std::string title) {
  Plot p;
  p.id = std::move(id);
  p.title = std::move(title);
  return p;
}

}  // namespace

Plot compare_throughput_plot(const std::vector<GroupResult>& groups) {
  Plot p = plot("compare_throughput", "Throughput: candidate vs baseline");
  ChartSpec c;
  c.title = "Throughput (total_ips, mean and 95 % interval) per configuration";
  c.x_label = "configuration";
  c.y_label = "images / second";
  c.x_axis = XAxis::kCategory;
  c.y_from_zero = true;
  ChartSeries base = series("baseline", false, true, false, palette()[0]);
  ChartSeries cand = series("candidate", false, true, false, palette()[1]);
  bool within = false;
  for (const auto& g : groups) {
    if (!g.bar_baseline.valid || !g.bar_candidate.valid) continue;
    const double x = static_cast<double>(c.categories.size());
    c.categories.push_back(g.label);
    base.points.emplace_back(x - 0.12, g.bar_baseline.mean);
    base.err.push_back(std::make_pair(g.bar_baseline.lo, g.bar_baseline.hi));
    cand.points.emplace_back(x + 0.12, g.bar_candidate.mean);
    cand.err.push_back(std::make_pair(g.bar_candidate.lo, g.bar_candidate.hi));
    within = within || g.total_ips.evidence == Evidence::kWithinRun;
  }
  if (c.categories.empty()) {
    p.missing_reason = "no matched configuration has throughput values on both sides";
    return p;
  }
  c.series = {base, cand};
  c.footnote = within ? "bars: 95 % bootstrap interval of the mean over runs; one run per side: "
                        "moving-block bootstrap of the iteration rate"
                      : "bars: 95 % percentile bootstrap interval of each side's mean over runs";
  p.svg = render_chart(c);
  return p;
}

std::optional<RcpPlotPoint> rcp_plot_point(const RcpSetResult& r, std::string label) {
  if (!r.batch || !r.submission_mean) return std::nullopt;
  RcpPlotPoint pt;
  pt.label = std::move(label);
  pt.batch = *r.batch;
  pt.mean = *r.submission_mean;
  pt.lo = pt.hi = pt.mean;
  bool first = true;
  for (double e : r.epochs) {
    if (!std::isfinite(e)) continue;
    pt.lo = first ? e : std::min(pt.lo, e);
    pt.hi = first ? e : std::max(pt.hi, e);
    first = false;
  }
  pt.passes = r.passes();
  return pt;
}

Plot rcp_band_plot(std::string id, std::string title, const RcpTable& table,
                   const std::vector<RcpPlotPoint>& points, const std::string& missing_reason) {
  Plot p = plot(std::move(id), title);
  if (points.empty() || table.pruned.empty()) {
    p.missing_reason = missing_reason;
    return p;
  }
  const auto& refs = table.pruned;
  int64_t lo_batch = refs.front().batch, hi_batch = refs.back().batch;
  for (const auto& pt : points) {
    lo_batch = std::min(lo_batch, pt.batch);
    hi_batch = std::max(hi_batch, pt.batch);
  }
  ChartSpec c;
  c.title = std::move(title);
  c.x_label = "global batch size (log2 scale)";
  c.y_label = "epochs to target";
  c.x_axis = XAxis::kLog2;
  ChartSeries mean =
      series("RCP mean (ruleset " + table.ruleset + ")", true, false, false, "#333333");
  ChartSeries edge = series("fastest accepted mean", true, false, true, "#c0392b");
  ChartSeries ref_points = series("reference batches", false, true, false, "#333333");
  // Below the smallest reference the checker compares with the smallest one: a flat band.
  if (lo_batch < refs.front().batch) {
    mean.points.emplace_back(static_cast<double>(lo_batch), refs.front().mean);
    edge.points.emplace_back(static_cast<double>(lo_batch), refs.front().min_epochs);
  }
  for (size_t i = 0; i < refs.size(); ++i) {
    const auto& r = refs[i];
    ref_points.points.emplace_back(static_cast<double>(r.batch), r.mean);
    mean.points.emplace_back(static_cast<double>(r.batch), r.mean);
    edge.points.emplace_back(static_cast<double>(r.batch), r.min_epochs);
    if (i + 1 == refs.size()) break;
    const auto& n = refs[i + 1];
    const double l0 = std::log2(static_cast<double>(r.batch));
    const double l1 = std::log2(static_cast<double>(n.batch));
    for (int k = 1; k < kSamplesPerSegment; ++k) {
      const auto b =
          static_cast<int64_t>(std::llround(std::exp2(l0 + (l1 - l0) * k / kSamplesPerSegment)));
      if (b <= r.batch || b >= n.batch) continue;
      const auto ip = rcp_interpolate(b, r, n);
      mean.points.emplace_back(static_cast<double>(b), ip.mean);
      edge.points.emplace_back(static_cast<double>(b), ip.min_epochs);
    }
  }
  c.series = {mean, edge, ref_points};
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& pt = points[i];
    ChartSeries s = series(pt.label + (pt.passes ? "" : " (fails)"), false, true, false,
                           palette()[kPointColors[i % std::size(kPointColors)]]);
    s.points.emplace_back(static_cast<double>(pt.batch), pt.mean);
    s.err.push_back(std::make_pair(pt.lo, pt.hi));
    c.series.push_back(std::move(s));
  }
  c.footnote =
      "points: a set's mean epochs to converge (olympic mean as MLPerf's rcp_checker), "
      "whiskers: its fastest and slowest converged run";
  p.svg = render_chart(c);
  return p;
}

Plot compare_rcp_plot(const std::vector<GroupResult>& groups, const RcpTable& table) {
  std::vector<RcpPlotPoint> pts;
  for (const auto& g : groups) {
    for (const auto& [side, rcp] :
         {std::pair{"baseline", &g.rcp_baseline}, std::pair{"candidate", &g.rcp_candidate}}) {
      auto pt = rcp_plot_point(
          rcp->result, std::string(side) + (groups.size() > 1 ? ": " + g.label : std::string()));
      if (pt) pts.push_back(std::move(*pt));
    }
  }
  return rcp_band_plot("compare_rcp", "Epochs to target vs MLPerf RCP", table, pts,
                       "no side has converged runs with a known global batch");
}

}  // namespace rn50::report
