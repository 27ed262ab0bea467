// Arithmetic on one curve before it is drawn: thinning a long series to a bounded number of
// points, TensorBoard's smoothing, weighted percentiles and a histogram of step times.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace rn50::report {

using XY = std::vector<std::pair<double, double>>;

// At most `max_points` points (>= 4): the series cut into max_points / 2 slices of equal point
// count, each kept as its lowest and highest point in x order, so that spikes (a loss jump, a
// data-loader stall) survive the thinning. A series within the limit is returned unchanged.
XY downsample_min_max(const XY& points, size_t max_points);

// TensorBoard's scalar smoothing: an exponential moving average with weight w in [0, 1), divided
// by (1 - w^(i+1)) so that the start is not pulled towards 0.
std::vector<double> debiased_ema(const std::vector<double>& values, double weight);

// Percentile p in [0, 100] of values carrying weights (the steps each value covers): the
// smallest value whose cumulative weight reaches p % of the total. 0 for an empty sample.
double weighted_percentile(std::vector<std::pair<double, double>> value_weight, double p);

struct Histogram {
  double lo = 0, width = 1;     // bin i covers [lo + i * width, lo + (i + 1) * width)
  std::vector<double> percent;  // share of the total weight per bin
  double above = 0;             // weight above the last bin (not drawn)
  double below = 0;             // weight under lo (not drawn)
  double total = 0;
};
// Weighted histogram over [lo, hi) in `bins` bins; the last bin includes hi.
Histogram histogram(const std::vector<std::pair<double, double>>& value_weight, double lo,
                    double hi, size_t bins);

}  // namespace rn50::report
