#include "report/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rn50::report {

std::optional<MedianStats> median_stats(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  MedianStats s;
  s.n = static_cast<int64_t>(n);
  s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
  s.min = values.front();
  s.max = values.back();
  return s;
}

std::optional<MeanStd> mean_std(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  MeanStd m;
  m.n = static_cast<int64_t>(values.size());
  m.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(m.n);
  if (m.n >= 2) {
    double ss = 0;
    for (double v : values) ss += (v - m.mean) * (v - m.mean);
    m.std = std::sqrt(ss / static_cast<double>(m.n - 1));
  }
  return m;
}

OlympicResult olympic_mean(std::vector<double> scores, int64_t failed, int64_t required,
                           double scaling_factor) {
  OlympicResult r;
  r.successes = static_cast<int64_t>(scores.size());
  r.failures = failed;
  r.scaling_factor = scaling_factor;
  const int64_t total = r.successes + failed;
  constexpr int64_t kMaxDropped = 1;  // ResNet: drop one fastest and one slowest
  if (total < required) {
    r.reason = "needs " + std::to_string(required) + " runs, has " + std::to_string(total);
    return r;
  }
  if (failed > kMaxDropped) {
    r.reason = std::to_string(failed) + " runs did not converge (at most 1 may fail)";
    return r;
  }
  std::sort(scores.begin(), scores.end());
  // countable = scores[1 : len - (1 - failed)]: a failure takes the place of the dropped slowest.
  const auto first = scores.begin() + kMaxDropped;
  const auto last = scores.end() - (kMaxDropped - failed);
  if (first >= last) {
    r.reason = "no runs left after dropping the fastest and slowest";
    return r;
  }
  r.counted.assign(first, last);
  const double mean = std::accumulate(r.counted.begin(), r.counted.end(), 0.0) /
                      static_cast<double>(r.counted.size());
  r.score = mean * scaling_factor;
  return r;
}

std::optional<double> speedup(double x_n, double x_1) {
  if (!(x_1 > 0) || !std::isfinite(x_n) || !std::isfinite(x_1)) return std::nullopt;
  return x_n / x_1;
}

std::optional<double> efficiency(double s, int64_t devices) {
  if (devices <= 0 || !std::isfinite(s)) return std::nullopt;
  return s / static_cast<double>(devices);
}

}  // namespace rn50::report
