// Scaling plots (docs/report.md "Plots"): the runs of the scaling table (scaling_selection.h).
#include <map>

#include "report/plots.h"
#include "report/run_values.h"
#include "report/scaling_selection.h"
#include "report/stats.h"
#include "report/svg_chart.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

// (precision, batch per device, MLPerf set) -> devices -> total_ips of each run (any node count).
struct Key {
  std::string precision;
  std::optional<int64_t> batch;
  std::string set;
  auto operator<=>(const Key&) const = default;
};
using ByDevices = std::map<Key, std::map<int64_t, std::vector<double>>>;

ByDevices by_devices(const ScalingSelection& sel) {
  ByDevices out;
  for (const auto& [k, runs] : sel.groups)
    for (const auto* r : runs)
      out[{k.precision, k.batch, k.set}][k.devices].push_back(
          throughput(*r, IpsKind::kTotal, IpsBasis::kWindow)->value);
  return out;
}

std::string series_name(const Key& key) {
  return key.precision + ", batch " + (key.batch ? std::to_string(*key.batch) : "?") + "/device" +
         (key.set.empty() ? "" : ", " + key.set);
}

Plot throughput_plot(const ScalingSelection& sel, const ByDevices& series) {
  Plot p{"throughput_vs_devices", "Throughput vs devices", "", "", PlotSection::kScaling, ""};
  if (series.empty()) {
    p.missing_reason = as_reason(sel.empty_reason);
    return p;
  }
  ChartSpec c;
  c.title = "Throughput (total_ips, median, min-max) vs devices";
  c.x_label = "devices (log2 scale)";
  c.y_label = "images / second (log2 scale)";
  c.x_axis = XAxis::kLog2;
  c.y_log2 = true;
  size_t color = 0;
  for (const auto& [key, by_dev] : series) {
    const std::string col = palette()[color++ % palette().size()];
    ChartSeries s;
    s.label = series_name(key);
    s.color = col;
    for (const auto& [d, v] : by_dev) {
      auto m = *median_stats(v);
      s.points.emplace_back(static_cast<double>(d), m.median);
      s.err.push_back(m.n > 1 ? std::optional(std::make_pair(m.min, m.max)) : std::nullopt);
    }
    // Ideal scaling from the smallest device count measured (1 device when present).
    const double d0 = s.points.front().first, x0 = s.points.front().second;
    ChartSeries ideal;
    ideal.label = "ideal (linear from " + fmt_fixed(d0, 0) + (d0 == 1 ? " device)" : " devices)");
    ideal.color = col;
    ideal.dashed = true;
    ideal.markers = false;
    for (const auto& [d, v] : by_dev)
      ideal.points.emplace_back(static_cast<double>(d), x0 * static_cast<double>(d) / d0);
    c.series.push_back(std::move(s));
    if (by_dev.size() > 1) c.series.push_back(std::move(ideal));
  }
  p.caption =
      "Median total_ips per device count (whiskers: min-max over the runs), both axes log2: "
      "linear scaling is a straight line of slope 1, drawn dashed from the smallest device "
      "count measured. Same runs as the scaling table.";
  p.svg = render_chart(c);
  return p;
}

Plot efficiency_plot(const ScalingSelection& sel, const ByDevices& series) {
  Plot p{"scaling_efficiency", "Scaling efficiency", "", "", PlotSection::kScaling, ""};
  if (series.empty()) {
    p.missing_reason = as_reason(sel.empty_reason);
    return p;
  }
  ChartSpec c;
  c.title = "Scaling efficiency: speedup / devices";
  c.x_label = "devices (log2 scale)";
  c.y_label = "efficiency (%)";
  c.x_axis = XAxis::kLog2;
  c.y_from_zero = true;
  c.hlines.push_back({100, "ideal (linear scaling) 100 %"});
  size_t color = 0;
  std::vector<std::string> no_baseline;
  for (const auto& [key, by_dev] : series) {
    const std::string col = palette()[color++ % palette().size()];
    auto one = by_dev.find(1);
    if (one == by_dev.end()) {
      no_baseline.push_back(series_name(key));
      continue;
    }
    const double base = median_stats(one->second)->median;
    ChartSeries s;
    s.label = series_name(key);
    s.color = col;
    for (const auto& [d, v] : by_dev) {
      auto sp = speedup(median_stats(v)->median, base);
      auto e = sp ? efficiency(*sp, d) : std::nullopt;
      if (e) s.points.emplace_back(static_cast<double>(d), 100 * *e);
    }
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  if (c.series.empty()) {
    p.missing_reason =
        "no 1-device run with the same precision and batch per device as the others, so no "
        "speedup and no efficiency";
    return p;
  }
  if (!no_baseline.empty()) {
    std::string s;
    for (const auto& n : no_baseline) s += (s.empty() ? "" : "; ") + n;
    c.footnote = "no 1-device baseline, not drawn: " + s;
  }
  p.caption =
      "Efficiency = speedup / devices, speedup = median total_ips with N devices / median "
      "total_ips of the 1-device runs with the same precision and batch per device (as the "
      "scaling table).";
  p.svg = render_chart(c);
  return p;
}

}  // namespace

std::vector<Plot> scaling_plots(const std::vector<StoredRun>& runs) {
  const ScalingSelection sel = select_for_scaling(runs);
  const ByDevices series = by_devices(sel);
  return {throughput_plot(sel, series), efficiency_plot(sel, series)};
}

}  // namespace rn50::report
