// The report's plots (docs/report.md "Plots"): built from the same runs as the tables.
#include <cmath>
#include <map>

#include "report/analysis.h"
#include "report/run_values.h"
#include "report/stats.h"
#include "report/svg_chart.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

using Runs = std::vector<const StoredRun*>;

Plot throughput_plot(const std::vector<StoredRun>& all) {
  Plot p{"throughput_vs_devices", "Throughput vs devices", "", ""};
  using Key = std::pair<std::string, std::optional<int64_t>>;
  std::map<Key, std::map<int64_t, std::vector<double>>> series;
  for (const auto& r : all) {
    if (role(r) == "accuracy") continue;
    auto d = devices(r);
    auto ips = throughput(r, IpsKind::kTotal, IpsBasis::kWindow);
    if (!d || !ips || *d <= 0) continue;
    series[{precision_label(r), r.run.batch_per_device.value}][*d].push_back(ips->value);
  }
  if (series.empty()) {
    p.missing_reason = "no run has both a known device count and a throughput value";
    return p;
  }
  ChartSpec c;
  c.title = "Throughput (total_ips, median, min-max) vs devices";
  c.x_label = "devices (log2 scale)";
  c.y_label = "images / second";
  c.x_axis = XAxis::kLog2;
  c.y_from_zero = true;
  size_t color = 0;
  for (const auto& [key, by_dev] : series) {
    const std::string col = palette()[color++ % palette().size()];
    const std::string name =
        key.first + ", batch " + (key.second ? std::to_string(*key.second) : "?") + "/device";
    ChartSeries s;
    s.label = name;
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
      ideal.points.emplace_back(static_cast<double>(d), x0 * d / d0);
    c.series.push_back(std::move(s));
    if (by_dev.size() > 1) c.series.push_back(std::move(ideal));
  }
  p.svg = render_chart(c);
  return p;
}

// Per-epoch curve of one field; one line per run, or per configuration (mean) when there are
// more runs than opt.max_curves.
Plot epoch_plot(const std::vector<StoredRun>& all, const AnalysisOptions& opt, std::string id,
                std::string title, std::string y_label,
                std::optional<double> core::EpochRecord::*field, bool target_line) {
  Plot p{std::move(id), title, "", ""};
  Runs with;
  for (const auto& r : all)
    for (const auto& e : r.run.epochs)
      if (e.*field && std::isfinite(*(e.*field))) {
        with.push_back(&r);
        break;
      }
  if (with.empty()) {
    p.missing_reason = "no run has per-epoch values for this plot";
    return p;
  }
  ChartSpec c;
  c.title = title;
  c.x_label = "epoch (as the log numbers it)";
  c.y_label = std::move(y_label);
  if (target_line)
    c.hlines.push_back({opt.target_top1, "target " + fmt_fixed(opt.target_top1, 2) + " %"});
  if (with.size() <= opt.max_curves) {
    // MLPerf folders all hold result_0.txt ...: a repeated name gets its system in the legend.
    std::map<std::string, int> name_count;
    for (const auto* r : with) name_count[r->run.name]++;
    for (const auto* r : with) {
      ChartSeries s;
      s.label = run_label(*r);
      if (name_count[r->run.name] > 1) s.label += " (" + system_label(*r) + ")";
      s.markers = r->run.epochs.size() <= 40;
      for (const auto& e : r->run.epochs)
        if (e.*field && std::isfinite(*(e.*field)))
          s.points.emplace_back(static_cast<double>(e.epoch), *(e.*field));
      c.series.push_back(std::move(s));
    }
  } else {
    std::map<ConfigKey, Runs> groups;
    for (const auto* r : with)
      groups[ConfigKey{precision_label(*r), r->run.batch_per_device.value, std::nullopt,
                       devices(*r).value_or(0)}]
          .push_back(r);
    size_t drawn = 0;
    for (const auto& [k, runs] : groups) {
      if (drawn == opt.max_curves) break;
      std::map<int64_t, std::pair<double, int>> sums;
      for (const auto* r : runs)
        for (const auto& e : r->run.epochs)
          if (e.*field && std::isfinite(*(e.*field))) {
            sums[e.epoch].first += *(e.*field);
            sums[e.epoch].second++;
          }
      ChartSeries s;
      // Short enough for the legend: "amp bs256 x8 (n=3)".
      s.label = k.precision + " bs" + (k.batch ? std::to_string(*k.batch) : std::string("?")) +
                " x" + std::to_string(k.devices) + " (n=" + std::to_string(runs.size()) + ")";
      s.markers = sums.size() <= 40;
      for (const auto& [ep, sn] : sums)
        s.points.emplace_back(static_cast<double>(ep), sn.first / sn.second);
      c.series.push_back(std::move(s));
      ++drawn;
    }
    c.footnote = std::to_string(with.size()) + " runs drawn as " + std::to_string(drawn) +
                 " configuration means (precision, batch per device, x devices)" +
                 (groups.size() > drawn
                      ? "; " + std::to_string(groups.size() - drawn) + " configurations not drawn"
                      : std::string());
  }
  p.svg = render_chart(c);
  return p;
}

Plot step_time_plot(const std::vector<StoredRun>& all, const AnalysisOptions& opt) {
  Plot p{"step_time", "Step-time percentiles", "", ""};
  Runs with;
  for (const auto& r : all) {
    const auto& d = r.run.derived;
    if (d.step_time_p50 && d.step_time_p90 && d.step_time_p99) with.push_back(&r);
  }
  if (with.empty()) {
    p.missing_reason = "no run has step-time percentiles (derived step_time_p50/p90/p99)";
    return p;
  }
  ChartSpec c;
  c.title = "Step time per iteration: p50 / p90 / p99";
  c.x_label = "run";
  c.y_label = "milliseconds per iteration";
  c.x_axis = XAxis::kCategory;
  c.y_from_zero = true;
  ChartSeries p50{"p50 (bar: p50 to p99)", {}, {}, false, true, false, ""};
  ChartSeries p90{"p90", {}, {}, false, true, false, ""};
  ChartSeries p99{"p99", {}, {}, false, true, false, ""};
  const size_t max_cats = 3 * opt.max_curves;
  if (with.size() > max_cats) {
    c.footnote = std::to_string(with.size() - max_cats) + " more runs not drawn";
    with.resize(max_cats);
  }
  for (size_t i = 0; i < with.size(); ++i) {
    const auto& d = with[i]->run.derived;
    c.categories.push_back("#" + std::to_string(with[i]->id));
    const double x = static_cast<double>(i);
    p50.points.emplace_back(x, *d.step_time_p50 * 1e3);
    p90.points.emplace_back(x, *d.step_time_p90 * 1e3);
    p99.points.emplace_back(x, *d.step_time_p99 * 1e3);
    // A vertical bar from p50 to p99 makes the spread (data-loader stalls) visible.
    p50.err.push_back(std::make_pair(*d.step_time_p50 * 1e3, *d.step_time_p99 * 1e3));
  }
  c.series = {p50, p90, p99};
  p.svg = render_chart(c);
  return p;
}

}  // namespace

std::vector<Plot> build_plots(const std::vector<StoredRun>& runs, const AnalysisOptions& opt) {
  std::vector<Plot> plots;
  plots.push_back(throughput_plot(runs));
  plots.push_back(epoch_plot(runs, opt, "top1_vs_epoch", "Top-1 accuracy vs epoch", "top-1 (%)",
                             &core::EpochRecord::top1, true));
  plots.push_back(epoch_plot(runs, opt, "loss_vs_epoch", "Training loss vs epoch", "train loss",
                             &core::EpochRecord::train_loss, false));
  plots.push_back(step_time_plot(runs, opt));
  return plots;
}

}  // namespace rn50::report
