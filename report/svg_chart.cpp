#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/svg_axis.h"
#include "report/svg_writer.h"
#include "report/text_format.h"

namespace rn50::report {

const std::vector<std::string>& palette() {
  // Tableau 10: distinguishable, also in grey-scale print.
  static const std::vector<std::string> p = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                             "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return p;
}

namespace {

constexpr double kLeft = 78, kTop = 44, kBottom = 64, kLegendWidth = 260, kRightMargin = 24;
constexpr double kFont = 12, kLegendRow = 18;
constexpr size_t kLegendChars = 30;        // right of the plot
constexpr size_t kLegendBelowChars = 110;  // below the plot, one entry per row
constexpr size_t kMaxLegendBelowRows = 16;

struct LegendEntry {
  std::string label, color;
  bool line, markers, dashed, hollow;
};

// Tick labels of a linear axis; above 100,000 in thousands or millions ("250k", "1.2M") so that
// step counts stay readable.
std::string axis_label(double v, const Ticks& t) {
  const double top = std::max(std::fabs(t.lo), std::fabs(t.hi));
  if (top < 1e5 || t.decimals > 0) return tick_label(v, t.decimals);
  const bool mega = top >= 1e7;
  const double scaled = v / (mega ? 1e6 : 1e3);
  const bool whole = std::fabs(scaled - std::round(scaled)) < 1e-9;
  return fmt_fixed(scaled, whole ? 0 : 1) + (mega ? "M" : "k");
}

// "+3 more", appended piece by piece (GCC 12's false -Wrestrict, PR 105329, on "+" + ...).
std::string more_text(size_t n) {
  std::string s(1, '+');
  s += std::to_string(n);
  s += " more";
  return s;
}

}  // namespace

std::string render_chart(const ChartSpec& spec) {
  // Legend entries first: where the legend goes decides the plot's width and the SVG's height.
  std::vector<LegendEntry> legend;
  for (const auto& l : spec.hlines)
    legend.push_back({l.label, "#c0392b", true, false, true, false});
  std::vector<std::string> colors;
  size_t next_color = 0;
  for (const auto& s : spec.series) {
    // Past the palette, colours repeat: a dashed line keeps such series apart.
    const bool cycled = s.color.empty() && next_color >= palette().size();
    colors.push_back(s.color.empty() ? palette()[next_color++ % palette().size()] : s.color);
    if (s.in_legend)
      legend.push_back({s.label, colors.back(), s.line, s.markers, s.dashed || cycled, s.hollow});
  }
  bool below = false;
  for (const auto& e : legend) below = below || sanitize_text(e.label).size() > kLegendChars;
  const size_t below_rows = below ? std::min(legend.size(), kMaxLegendBelowRows) : 0;

  const double w = spec.width;
  const double h = spec.height + (below ? 12 + kLegendRow * static_cast<double>(below_rows) : 0);
  const double px0 = kLeft, px1 = w - (below ? kRightMargin : kLegendWidth), py0 = kTop,
               py1 = spec.height - kBottom;

  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
  double ymin = xmin, ymax = -xmin;
  auto take_y = [&](double y) {
    ymin = std::min(ymin, y);
    ymax = std::max(ymax, y);
  };
  for (const auto& s : spec.series) {
    for (size_t i = 0; i < s.points.size(); ++i) {
      xmin = std::min(xmin, s.points[i].first);
      xmax = std::max(xmax, s.points[i].first);
      take_y(s.points[i].second);
      if (i < s.err.size() && s.err[i]) {
        take_y(s.err[i]->first);
        take_y(s.err[i]->second);
      }
    }
  }
  for (const auto& l : spec.hlines) take_y(l.y);
  if (!std::isfinite(xmin)) {
    xmin = 0;
    xmax = 1;
    ymin = 0;
    ymax = 1;
  }
  if (spec.x_from) {
    xmin = std::min(xmin, *spec.x_from);
    xmax = std::max(xmax, *spec.x_from);
  }
  if (!spec.y_log2 && ymax > ymin) {
    // A little room above and below, so that a target line or an extreme point is not drawn
    // on the frame; an axis that starts at zero keeps its zero.
    const double pad = 0.03 * (ymax - ymin);
    ymin = ymin >= 0 && ymin - pad < 0 ? 0 : ymin - pad;
    ymax += pad;
  }
  if (spec.y_from_zero && !spec.y_log2) ymin = std::min(ymin, 0.0);
  if (spec.y_max && ymax > *spec.y_max && ymin < *spec.y_max) ymax = *spec.y_max;

  Ticks yt = spec.y_log2 ? log2_ticks(ymin, ymax) : nice_ticks(ymin, ymax, 7);
  Ticks xt;
  if (spec.x_axis == XAxis::kLog2) {
    xt = log2_ticks(xmin, xmax);
  } else if (spec.x_axis == XAxis::kCategory) {
    xt.lo = -0.5;
    xt.hi = static_cast<double>(spec.categories.size()) - 0.5;
    for (size_t i = 0; i < spec.categories.size(); ++i) xt.values.push_back(static_cast<double>(i));
  } else if (spec.x_integer) {
    xt = integer_ticks(xmin, xmax, 8);
  } else {
    xt = nice_ticks(xmin, xmax, 8);
  }
  const Scale sx(xt.lo, xt.hi, px0, px1, spec.x_axis == XAxis::kLog2);
  const Scale sy(yt.lo, yt.hi, py1, py0, spec.y_log2);

  SvgWriter svg(w, h);
  svg.text(w / 2, 24, spec.title, 15, Anchor::kMiddle, 0, true);

  // Grid and tick labels.
  const Stroke grid{"#e0e0e0", 1, ""};
  const Stroke axis{"#333333", 1, ""};
  for (double v : yt.values) {
    const double y = sy(v);
    svg.line(px0, y, px1, y, grid);
    svg.text(px0 - 6, y + 4, spec.y_log2 ? tick_label(v, yt.decimals) : axis_label(v, yt), kFont,
             Anchor::kEnd);
  }
  // Category labels thin out so that neighbours never overlap (about 7 px per character).
  size_t label_every = 1;
  if (spec.x_axis == XAxis::kCategory && !spec.categories.empty()) {
    size_t longest = 1;
    for (const auto& c : spec.categories) longest = std::max(longest, c.size());
    const double slot = (px1 - px0) / static_cast<double>(spec.categories.size());
    label_every = std::max<size_t>(1, static_cast<size_t>(std::ceil(7.0 * longest / slot)));
  }
  for (size_t i = 0; i < xt.values.size(); ++i) {
    const double v = xt.values[i];
    const double x = sx(v);
    svg.line(x, py0, x, py1, grid);
    std::string label = spec.x_axis == XAxis::kCategory ? spec.categories[i]
                        : spec.x_axis == XAxis::kLog2   ? tick_label(v, xt.decimals)
                                                        : axis_label(v, xt);
    if (i % label_every == 0) svg.text(x, py1 + 18, label, kFont, Anchor::kMiddle);
  }
  svg.line(px0, py1, px1, py1, axis);
  svg.line(px0, py0, px0, py1, axis);
  svg.text((px0 + px1) / 2, py1 + 40, spec.x_label, 13, Anchor::kMiddle);
  svg.text(20, (py0 + py1) / 2, spec.y_label, 13, Anchor::kMiddle, -90);
  if (!spec.footnote.empty())
    svg.text(px0, spec.height - 6, spec.footnote, 11, Anchor::kStart, 0, false, "#555555");

  // Reference lines first, so data is drawn on top of them.
  for (const auto& l : spec.hlines) {
    const double y = sy(l.y);
    svg.line(px0, y, px1, y, Stroke{"#c0392b", 1.2, "6 4"});
  }

  next_color = 0;
  for (size_t k = 0; k < spec.series.size(); ++k) {
    const auto& s = spec.series[k];
    const bool cycled = s.color.empty() && next_color++ >= palette().size();
    const std::string& color = colors[k];
    const bool dashed = s.dashed || cycled;
    std::vector<std::pair<double, double>> px;
    for (const auto& [x, y] : s.points) px.emplace_back(sx(x), sy(y));
    if (s.line && px.size() > 1)
      svg.polyline(px, Stroke{color, s.width, dashed ? "6 4" : "", s.opacity});
    for (size_t i = 0; i < s.err.size() && i < s.points.size(); ++i) {
      if (!s.err[i]) continue;
      const double x = px[i].first, lo = sy(s.err[i]->first), hi = sy(s.err[i]->second);
      svg.line(x, lo, x, hi, Stroke{color, 1.2, ""});
      svg.line(x - 4, lo, x + 4, lo, Stroke{color, 1.2, ""});
      svg.line(x - 4, hi, x + 4, hi, Stroke{color, 1.2, ""});
    }
    if (s.markers)
      for (const auto& [x, y] : px) {
        if (s.hollow)
          svg.ring(x, y, 3.5, color);
        else
          svg.circle(x, y, 3.5, color);
      }
    for (size_t i = 0; i < s.point_labels.size() && i < px.size(); ++i) {
      if (s.point_labels[i].empty()) continue;
      const bool left = px[i].first > px1 - 60;  // near the right edge: label on the left
      svg.text(px[i].first + (left ? -7 : 7), px[i].second - 7, s.point_labels[i], 11,
               left ? Anchor::kEnd : Anchor::kStart, 0, false, color);
    }
  }

  auto legend_entry = [&](const LegendEntry& e, double lx, double ly, size_t chars) {
    if (e.line) svg.line(lx, ly, lx + 22, ly, Stroke{e.color, 2, e.dashed ? "6 4" : ""});
    if (e.markers && e.hollow)
      svg.ring(lx + 11, ly, 3.5, e.color);
    else if (e.markers)
      svg.circle(lx + 11, ly, 3.5, e.color);
    svg.text(lx + 28, ly + 4, ellipsize(e.label, chars), kFont, Anchor::kStart);
  };
  if (below) {
    // Below the plot: one entry per row, nearly the full width, so long run names stay readable.
    double ly = spec.height + 12;
    for (size_t i = 0; i < legend.size(); ++i) {
      if (i + 1 == kMaxLegendBelowRows && legend.size() > kMaxLegendBelowRows) {
        svg.text(px0, ly + 4, more_text(legend.size() - i), kFont, Anchor::kStart, 0, false,
                 "#555555");
        break;
      }
      legend_entry(legend[i], px0, ly, kLegendBelowChars);
      ly += kLegendRow;
    }
    return svg.finish();
  }
  // Right of the plot; entries that do not fit are summarised in one last line.
  const double lx = px1 + 16;
  double ly = py0 + 6;
  const size_t fit = static_cast<size_t>((py1 - py0) / kLegendRow);
  for (size_t i = 0; i < legend.size(); ++i) {
    if (i + 1 == fit && legend.size() > fit) {
      svg.text(lx, ly + 4, more_text(legend.size() - i), kFont, Anchor::kStart, 0, false,
               "#555555");
      break;
    }
    legend_entry(legend[i], lx, ly, kLegendChars);
    ly += kLegendRow;
  }
  return svg.finish();
}

}  // namespace rn50::report
