// The report's plots in report order (docs/report.md "Plots"), and the per-epoch curves.
#include "report/plots.h"

#include <cmath>
#include <map>

#include "report/analysis.h"
#include "report/rcp_report.h"
#include "report/run_values.h"
#include "report/stats.h"
#include "report/svg_chart.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

using Runs = std::vector<const StoredRun*>;

// Per-epoch curve of one field; one line per run, or per configuration (mean) when there are
// more runs than opt.max_curves.
Plot epoch_plot(const std::vector<StoredRun>& all, const AnalysisOptions& opt, std::string id,
                std::string title, std::string y_label,
                std::optional<double> core::EpochRecord::*field, bool target_line) {
  Plot p;
  p.id = std::move(id);
  p.title = title;
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
  c.x_integer = true;
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
      if (name_count[r->run.name] > 1) s.label += " (" + set_label(*r) + ")";
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
                       devices(*r).value_or(0), mlperf_set_of(*r)}]
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
                " x" + (k.devices ? std::to_string(k.devices) : std::string("?")) +
                " (n=" + std::to_string(runs.size()) + ")";
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

}  // namespace

std::vector<Plot> build_plots(const std::vector<StoredRun>& runs, const AnalysisOptions& opt) {
  std::vector<Plot> plots = curve_plots(runs, opt);
  for (auto& p : scaling_plots(runs)) plots.push_back(std::move(p));
  plots.push_back(epoch_plot(runs, opt, "top1_vs_epoch", "Top-1 accuracy vs epoch", "top-1 (%)",
                             &core::EpochRecord::top1, true));
  plots.push_back(epoch_plot(runs, opt, "loss_vs_epoch", "Training loss vs epoch", "train loss",
                             &core::EpochRecord::train_loss, false));
  plots.push_back(rcp_report_plot(runs, opt));
  return plots;
}

}  // namespace rn50::report
