#include "report/series.h"

#include <algorithm>
#include <cmath>

namespace rn50::report {

XY downsample_min_max(const XY& points, size_t max_points) {
  max_points = std::max<size_t>(max_points, 4);
  if (points.size() <= max_points) return points;
  const size_t slices = max_points / 2;
  XY out;
  out.reserve(2 * slices);
  for (size_t s = 0; s < slices; ++s) {
    const size_t a = s * points.size() / slices, b = (s + 1) * points.size() / slices;
    if (a >= b) continue;
    size_t lo = a, hi = a;
    for (size_t i = a; i < b; ++i) {
      if (points[i].second < points[lo].second) lo = i;
      if (points[i].second > points[hi].second) hi = i;
    }
    out.push_back(points[std::min(lo, hi)]);
    if (lo != hi) out.push_back(points[std::max(lo, hi)]);
  }
  return out;
}

std::vector<double> debiased_ema(const std::vector<double>& values, double weight) {
  std::vector<double> out;
  out.reserve(values.size());
  double last = 0, debias = 1;
  for (double v : values) {
    last = last * weight + (1 - weight) * v;
    debias *= weight;
    out.push_back(debias < 1 ? last / (1 - debias) : v);
  }
  return out;
}

double weighted_percentile(std::vector<std::pair<double, double>> vw, double p) {
  if (vw.empty()) return 0;
  std::sort(vw.begin(), vw.end());
  double total = 0;
  for (const auto& [v, w] : vw) total += w;
  const double want = std::clamp(p, 0.0, 100.0) / 100.0 * total;
  double acc = 0;
  for (const auto& [v, w] : vw) {
    acc += w;
    if (acc >= want - 1e-12 * total) return v;
  }
  return vw.back().first;
}

Histogram histogram(const std::vector<std::pair<double, double>>& vw, double lo, double hi,
                    size_t bins) {
  Histogram h;
  bins = std::max<size_t>(bins, 1);
  if (!(hi > lo)) hi = lo + 1;
  h.lo = lo;
  h.width = (hi - lo) / static_cast<double>(bins);
  std::vector<double> weight(bins, 0.0);
  for (const auto& [v, w] : vw) {
    h.total += w;
    if (v < lo) {
      h.below += w;
    } else if (v > hi) {
      h.above += w;
    } else {
      const auto i = std::min(bins - 1, static_cast<size_t>((v - lo) / h.width));
      weight[i] += w;
    }
  }
  for (double w : weight) h.percent.push_back(h.total > 0 ? 100.0 * w / h.total : 0.0);
  return h;
}

}  // namespace rn50::report
