// One chart type covers every plot of the report: x (linear, log2 or categories) against y
// (linear or log2), with lines and/or markers per series, optional error bars, horizontal
// reference lines and a legend outside the plot area (so it never hides data): right of the plot
// for short labels, below it, one full-width row per entry, when a label is longer.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rn50::report {

enum class XAxis { kLinear, kLog2, kCategory };

struct ChartSeries {
  std::string label;
  std::vector<std::pair<double, double>> points;              // (x, y); category x = index
  std::vector<std::optional<std::pair<double, double>>> err;  // per point (y_lo, y_hi), or empty
  bool line = true;
  bool markers = true;
  bool dashed = false;
  std::string color;    // empty = next palette colour
  double width = 2;     // line width in px
  double opacity = 1;   // line opacity (raw data drawn faintly under its smoothed line)
  bool hollow = false;  // markers drawn as rings (a second quantity of the same run)
  bool in_legend = true;
  std::vector<std::string> point_labels;  // text beside point i ("" or missing: none)
  // A series without points but in the legend explains a style (e.g. "ring, dashed: top-5").
};

struct ChartHLine {
  double y = 0;
  std::string label;
};

struct ChartSpec {
  std::string title, x_label, y_label;
  XAxis x_axis = XAxis::kLinear;
  std::vector<std::string> categories;  // labels for XAxis::kCategory
  std::vector<ChartSeries> series;
  std::vector<ChartHLine> hlines;
  bool y_from_zero = false;
  bool y_log2 = false;           // every y must be > 0
  std::optional<double> y_max;   // the y axis ends here at most (percentages: 100)
  bool x_integer = false;        // counted axis (epochs): starts at the first value, integer ticks
  std::optional<double> x_from;  // the x axis covers this value (0: steps, time since start)
  std::string footnote;          // one line under the x label (e.g. "12 more runs not drawn")
  double width = 820, height = 440;
};

// Deterministic SVG text. Requires at least one point in some series.
std::string render_chart(const ChartSpec& spec);

const std::vector<std::string>& palette();

}  // namespace rn50::report
