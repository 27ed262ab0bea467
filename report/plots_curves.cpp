// Curves over training steps and wall time from the runs' metric history (loss raw and smoothed,
// learning rate, throughput per logged interval, top-1/top-5 per evaluation) and the step-time
// histogram (docs/report.md "Plots").
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "report/analysis.h"
#include "report/plots.h"
#include "report/run_history.h"
#include "report/run_values.h"
#include "report/series.h"
#include "report/svg_chart.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

using Runs = std::vector<const StoredRun*>;

enum class Axis { kStep, kTime };

constexpr double kSmoothingWeight = 0.9;
constexpr size_t kSmoothMinPoints = 50;   // fewer points are drawn as logged
constexpr size_t kMarkersMaxPoints = 40;  // more points: a line without markers
constexpr size_t kHistogramBins = 40;
constexpr double kMinHistogramSteps = 5;

struct TimeUnit {
  double seconds = 1;
  std::string name = "s";
};

// Seconds for runs of minutes, minutes for runs of hours, hours beyond.
TimeUnit time_unit(double max_seconds) {
  if (max_seconds < 600) return {1, "s"};
  if (max_seconds < 600 * 60) return {60, "min"};
  return {3600, "h"};
}

const char* axis_word(Axis a) { return a == Axis::kStep ? "step" : "wall time"; }

std::string x_label(Axis a, const TimeUnit& u) {
  return a == Axis::kStep ? "training step (steps of the earlier epochs + step in the epoch)"
                          : "wall time since the run's start (" + u.name + ")";
}

// Legend labels: "#id name", with the system where several runs share a name (MLPerf folders
// all hold result_0.txt ...).
std::map<const StoredRun*, std::string> legend_labels(const Runs& runs) {
  std::map<std::string, int> name_count;
  for (const auto* r : runs) name_count[r->run.name]++;
  std::map<const StoredRun*, std::string> out;
  for (const auto* r : runs) {
    std::string s = run_label(*r);
    if (name_count[r->run.name] > 1) s += " (" + set_label(*r) + ")";
    out[r] = s;
  }
  return out;
}

// The colour of the i-th run; past the palette colours repeat and the chart dashes the line.
std::string run_color(size_t i) { return palette()[i % palette().size()]; }

// One run's points before the x unit is chosen.
struct RunPoints {
  const StoredRun* run = nullptr;
  XY points;
  XY second;  // top-5 beside top-1
};

XY iteration_xy(const RunHistory& h, const std::string& key, Axis axis) {
  XY out;
  for (const auto& p : h.iterations(key)) {
    const auto& x = axis == Axis::kStep ? p.step : p.seconds;
    if (x) out.emplace_back(*x, p.value);
  }
  return out;
}

// Divides x by the time unit (time axis) and returns the unit.
TimeUnit scale_time(std::vector<RunPoints>& curves, Axis axis) {
  if (axis == Axis::kStep) return {};
  double max_x = 0;
  for (const auto& c : curves)
    for (const auto* xy : {&c.points, &c.second})
      for (const auto& [x, y] : *xy) max_x = std::max(max_x, x);
  const TimeUnit u = time_unit(max_x);
  for (auto& c : curves)
    for (auto* xy : {&c.points, &c.second})
      for (auto& p : *xy) p.first /= u.seconds;
  return u;
}

struct Thinning {
  bool any = false;
  XY operator()(const XY& pts, size_t max_points) {
    if (pts.size() > max_points) any = true;
    return downsample_min_max(pts, max_points);
  }
};

std::string thinning_text(const AnalysisOptions& opt) {
  return " Curves of more than " + std::to_string(opt.max_curve_points) +
         " points keep the lowest and the highest point of each of " +
         std::to_string(opt.max_curve_points / 2) + " slices of equal point count.";
}

// A curve of one iteration-level series (loss, learning rate, throughput) against step or time.
struct SeriesPlot {
  std::string stem, title, key, y_label, what;
  bool smooth = false;
  bool epoch_lr_fallback = false;
  bool y_from_zero = false;
};

Plot series_plot(const Runs& runs, const std::string& why_none, const AnalysisOptions& opt,
                 const SeriesPlot& sp, Axis axis) {
  Plot p{sp.stem + (axis == Axis::kStep ? "_vs_step" : "_vs_time"),
         sp.title + " vs " + axis_word(axis),
         "",
         "",
         PlotSection::kCurves,
         ""};
  if (runs.empty()) {
    p.missing_reason = why_none;
    return p;
  }
  std::vector<RunPoints> curves;
  size_t per_epoch_runs = 0, logged = 0;  // runs with the series at all, on either axis
  for (const auto* r : runs) {
    const RunHistory h(*r);
    if (!h.iterations(sp.key).empty()) ++logged;
    RunPoints c{r, iteration_xy(h, sp.key, axis), {}};
    if (c.points.empty() && sp.epoch_lr_fallback) {
      // Logs that state the learning rate per epoch only: the value at each epoch's end.
      for (const auto& e : r->run.epochs) {
        if (!e.lr || !std::isfinite(*e.lr)) continue;
        const auto x = axis == Axis::kStep ? h.epoch_end_step(e.epoch) : h.since_start(e.time);
        if (x) c.points.emplace_back(*x, *e.lr);
      }
      if (!c.points.empty()) ++per_epoch_runs;
    }
    if (!c.points.empty()) curves.push_back(std::move(c));
  }
  if (curves.empty()) {
    if (logged)
      p.missing_reason = "the " + sp.key + " values of the selected runs have no " +
                         (axis == Axis::kTime ? "timestamps" : "step numbers");
    else
      p.missing_reason = "no selected run logs " + sp.key + " per iteration" +
                         (sp.epoch_lr_fallback ? " or per epoch" : "");
    return p;
  }
  const TimeUnit unit = scale_time(curves, axis);
  const auto labels = legend_labels(runs);
  ChartSpec c;
  c.title = p.title;
  c.x_label = x_label(axis, unit);
  c.y_label = sp.y_label;
  c.x_from = 0;
  c.y_from_zero = sp.y_from_zero;
  Thinning thin;
  std::vector<ChartSeries> raw, main;
  bool smoothed_any = false;
  for (size_t i = 0; i < curves.size(); ++i) {
    const auto& cv = curves[i];
    ChartSeries s;
    s.label = labels.at(cv.run);
    s.color = run_color(i);
    s.dashed = i >= palette().size();
    if (sp.smooth && cv.points.size() >= kSmoothMinPoints) {
      smoothed_any = true;
      ChartSeries faint = s;
      faint.points = thin(cv.points, opt.max_curve_points);
      faint.markers = false;
      faint.width = 1;
      faint.opacity = 0.3;
      faint.in_legend = false;
      raw.push_back(std::move(faint));
      std::vector<double> ys;
      for (const auto& [x, y] : cv.points) ys.push_back(y);
      const auto sm = debiased_ema(ys, kSmoothingWeight);
      XY pts;
      for (size_t k = 0; k < sm.size(); ++k) pts.emplace_back(cv.points[k].first, sm[k]);
      s.points = thin(pts, opt.max_curve_points);
      s.markers = false;
    } else {
      s.points = thin(cv.points, opt.max_curve_points);
      s.markers = cv.points.size() <= kMarkersMaxPoints;
    }
    main.push_back(std::move(s));
  }
  c.series = std::move(raw);  // faint raw lines under every solid line
  for (auto& s : main) c.series.push_back(std::move(s));
  if (smoothed_any)
    c.footnote = "faint: " + sp.key + " as logged; solid: debiased EMA, weight " +
                 fmt_fixed(kSmoothingWeight, 1) + " per logged point (TensorBoard's smoothing)";
  p.caption = sp.what;
  if (smoothed_any)
    p.caption +=
        " Faint: each logged value; solid: smoothed with TensorBoard's debiased "
        "exponential moving average, weight " +
        fmt_fixed(kSmoothingWeight, 1) + " per logged point (runs with fewer than " +
        std::to_string(kSmoothMinPoints) + " logged points are drawn unsmoothed).";
  if (per_epoch_runs)
    p.caption += " " + std::to_string(per_epoch_runs) +
                 (per_epoch_runs == 1 ? " run logs" : " runs log") +
                 " the learning rate per epoch only: its value at each epoch's end.";
  if (thin.any) p.caption += thinning_text(opt);
  p.svg = render_chart(c);
  return p;
}

Plot accuracy_plot(const Runs& runs, const std::string& why_none, const AnalysisOptions& opt,
                   Axis axis) {
  Plot p{axis == Axis::kStep ? "top1_vs_step" : "top1_vs_time",
         std::string("Top-1 / top-5 per evaluation vs ") + axis_word(axis),
         "",
         "",
         PlotSection::kCurves,
         ""};
  if (runs.empty()) {
    p.missing_reason = why_none;
    return p;
  }
  std::vector<RunPoints> curves;
  size_t unplaced = 0;
  for (const auto* r : runs) {
    const RunHistory h(*r);
    RunPoints c{r, {}, {}};
    auto epochs = r->run.epochs;
    std::stable_sort(epochs.begin(), epochs.end(),
                     [](const auto& a, const auto& b) { return a.epoch < b.epoch; });
    for (const auto& e : epochs) {
      const bool t1 = e.top1 && std::isfinite(*e.top1), t5 = e.top5 && std::isfinite(*e.top5);
      if (!t1 && !t5) continue;
      const auto x = axis == Axis::kStep ? h.epoch_end_step(e.epoch) : h.since_start(e.time);
      if (!x) {
        ++unplaced;
        continue;
      }
      if (t1) c.points.emplace_back(*x, *e.top1);
      if (t5) c.second.emplace_back(*x, *e.top5);
    }
    if (!c.points.empty() || !c.second.empty()) curves.push_back(std::move(c));
  }
  if (curves.empty()) {
    p.missing_reason = !unplaced ? "no selected run has an evaluation (top-1)"
                       : axis == Axis::kStep
                           ? "no evaluation of the selected runs can be placed on the step "
                             "axis: their epochs have no iteration history"
                           : "no evaluation of the selected runs has a timestamp";
    return p;
  }
  const TimeUnit unit = scale_time(curves, axis);
  const auto labels = legend_labels(runs);
  ChartSpec c;
  c.title = p.title;
  c.x_label = x_label(axis, unit);
  c.y_label = "accuracy (%)";
  c.y_max = 100;
  c.x_from = 0;
  c.hlines.push_back({opt.target_top1, "target top-1 " + fmt_fixed(opt.target_top1, 2) + " %"});
  bool any_top5 = false;
  for (size_t i = 0; i < curves.size(); ++i) {
    ChartSeries t1;
    t1.label = labels.at(curves[i].run);
    t1.color = run_color(i);
    t1.points = curves[i].points;
    t1.markers = t1.points.size() <= kMarkersMaxPoints;
    if (!t1.points.empty() && curves.size() <= 3) {
      // The best evaluation carries its value (a few runs only: labels of many would collide).
      size_t best = 0;
      for (size_t k = 1; k < t1.points.size(); ++k)
        if (t1.points[k].second > t1.points[best].second) best = k;
      t1.point_labels.assign(t1.points.size(), "");
      t1.point_labels[best] = fmt_fixed(t1.points[best].second, 2);
    }
    c.series.push_back(t1);
    if (curves[i].second.empty()) continue;
    any_top5 = true;
    ChartSeries t5 = t1;
    t5.point_labels.clear();
    t5.label += " top-5";
    t5.points = curves[i].second;
    t5.hollow = true;
    t5.dashed = true;
    t5.in_legend = false;
    t5.markers = t5.points.size() <= kMarkersMaxPoints;
    c.series.push_back(std::move(t5));
  }
  if (any_top5) {
    ChartSeries key;
    key.label = "dashed (rings): top-5, same colour";
    key.color = "#555555";
    key.hollow = true;
    key.dashed = true;
    c.series.push_back(std::move(key));
  }
  if (unplaced)
    c.footnote = std::to_string(unplaced) +
                 (unplaced == 1 ? " evaluation has" : " evaluations have") + " no " +
                 (axis == Axis::kStep ? "step" : "timestamp") + " and is not drawn";
  p.caption =
      std::string(
          "Each point is one evaluation (top-1 solid with filled markers, top-5 "
          "dashed with rings; markers up to ") +
      std::to_string(kMarkersMaxPoints) + " evaluations) placed at " +
      (axis == Axis::kStep ? "the last training step of its epoch" : "the time it was logged") +
      "; the dashed red line is the report's target.";
  p.svg = render_chart(c);
  return p;
}

Plot step_time_histogram(const Runs& runs, const std::string& why_none) {
  Plot p{"step_time_histogram", "Step-time histogram", "", "", PlotSection::kCurves, ""};
  if (runs.empty()) {
    p.missing_reason = why_none;
    return p;
  }
  struct RunTimes {
    const StoredRun* run;
    StepTimes t;
  };
  std::vector<RunTimes> with;
  for (const auto* r : runs) {
    StepTimes t = RunHistory(*r).step_times();
    double steps = 0;
    for (auto& [v, w] : t.samples) {
      v *= 1e3;  // milliseconds
      steps += w;
    }
    if (steps >= kMinHistogramSteps) with.push_back({r, std::move(t)});
  }
  if (with.empty()) {
    p.missing_reason =
        "no selected run has per-iteration times (train.batch_time) or timestamped "
        "iteration records for at least " +
        fmt_fixed(kMinHistogramSteps, 0) + " steps";
    return p;
  }
  // One range for every run: from the fastest step to 1.25 x the slowest run's p99, so that a
  // few stalls do not squeeze the body of the distribution into one bin; the rest is counted.
  double lo = std::numeric_limits<double>::infinity(), hi = 0, longest = 0;
  for (const auto& rt : with) {
    for (const auto& [v, w] : rt.t.samples) {
      lo = std::min(lo, v);
      longest = std::max(longest, v);
    }
    hi = std::max(hi, 1.25 * weighted_percentile(rt.t.samples, 99));
  }
  hi = std::min(hi, longest);
  if (!(hi > lo)) hi = lo + std::max(1e-3, 0.1 * lo);
  const auto labels = legend_labels(runs);
  ChartSpec c;
  c.title = "Step time per training iteration";
  c.x_label = "milliseconds per step";
  c.y_label = "share of the run's steps (%)";
  c.y_from_zero = true;
  c.y_max = 100;
  double above = 0;
  std::map<std::string, int> methods;
  for (size_t i = 0; i < with.size(); ++i) {
    const auto& rt = with[i];
    const Histogram h = histogram(rt.t.samples, lo, hi, kHistogramBins);
    above += h.above;
    methods[rt.t.method]++;
    ChartSeries s;
    s.label = labels.at(rt.run) + " (median " +
              fmt_fixed(weighted_percentile(rt.t.samples, 50), 1) + " ms)";
    s.color = run_color(i);
    s.dashed = i >= palette().size();
    s.markers = false;
    s.width = 1.5;
    s.points.emplace_back(lo, 0);
    for (size_t b = 0; b < h.percent.size(); ++b) {
      const double x0 = lo + static_cast<double>(b) * h.width;
      s.points.emplace_back(x0, h.percent[b]);
      s.points.emplace_back(x0 + h.width, h.percent[b]);
    }
    s.points.emplace_back(hi, 0);
    c.series.push_back(std::move(s));
  }
  const double bin = (hi - lo) / static_cast<double>(kHistogramBins);
  c.footnote =
      std::to_string(kHistogramBins) + " bins of " + fmt_fixed(bin, bin < 1 ? 2 : 1) + " ms";
  if (above > 0)
    c.footnote += "; " + fmt_fixed(above, 0) + (above == 1 ? " step" : " steps") + " above " +
                  fmt_fixed(hi, 0) + " ms not drawn (longest " + fmt_fixed(longest, 0) + " ms)";
  p.caption =
      "Share of each run's training steps per step-time bin, over every logged step "
      "(warm-up included). Step times: ";
  bool first = true;
  for (const auto& [m, n] : methods) {
    p.caption += (first ? "" : "; ") + m;
    first = false;
  }
  p.caption += "; a value covering several steps counts for each of them.";
  p.svg = render_chart(c);
  return p;
}

}  // namespace

std::vector<const StoredRun*> curve_runs(const std::vector<StoredRun>& runs,
                                         const AnalysisOptions& opt, std::string* why_none) {
  Runs out;
  if (runs.size() <= opt.max_curves) {
    for (const auto& r : runs) out.push_back(&r);
    if (out.empty() && why_none) *why_none = "no runs selected";
    return out;
  }
  for (const auto& r : runs)
    if (is_own_run(r)) out.push_back(&r);
  if (!out.empty() && out.size() <= opt.max_curves) return out;
  if (why_none)
    *why_none =
        std::to_string(out.empty() ? runs.size() : out.size()) +
        (out.empty() ? " runs are selected" : " runs of the built-in trainer are selected") +
        "; curves over steps and time are drawn for at most " + std::to_string(opt.max_curves) +
        " (select fewer with --runs, --tag or --experiment)";
  return {};
}

const std::vector<std::pair<std::string, std::string>>& curve_metric_series() {
  static const std::vector<std::pair<std::string, std::string>> series = {
      {"train.loss", "iter"},
      {"train.lr", "iter"},
      {"train.total_ips", "iter"},
      {"train.batch_time", "iter"}};
  return series;
}

std::vector<Plot> curve_plots(const std::vector<StoredRun>& all, const AnalysisOptions& opt) {
  std::string why_none;
  const Runs runs = curve_runs(all, opt, &why_none);
  const SeriesPlot loss{"loss",
                        "Training loss",
                        "train.loss",
                        "train loss",
                        "Training loss (train.loss) of each logged interval.",
                        true,
                        false,
                        false};
  const SeriesPlot lr{"lr",
                      "Learning rate",
                      "train.lr",
                      "learning rate",
                      "Learning rate (train.lr) at each logged interval.",
                      false,
                      true,
                      true};
  const SeriesPlot ips{"throughput",
                       "Throughput per logged interval",
                       "train.total_ips",
                       "images / second",
                       "Training throughput (train.total_ips) as each log states it per logged "
                       "interval, warm-up included; the tables use the steady window.",
                       false,
                       false,
                       true};
  std::vector<Plot> plots;
  for (Axis a : {Axis::kStep, Axis::kTime})
    plots.push_back(series_plot(runs, why_none, opt, loss, a));
  for (Axis a : {Axis::kStep, Axis::kTime}) plots.push_back(accuracy_plot(runs, why_none, opt, a));
  for (Axis a : {Axis::kStep, Axis::kTime})
    plots.push_back(series_plot(runs, why_none, opt, lr, a));
  for (Axis a : {Axis::kStep, Axis::kTime})
    plots.push_back(series_plot(runs, why_none, opt, ips, a));
  plots.push_back(step_time_histogram(runs, why_none));
  return plots;
}

}  // namespace rn50::report
