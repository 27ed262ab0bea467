// Statistics across repeated runs (docs/definitions.md "Across repeats", docs/report.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rn50::report {

struct MedianStats {
  int64_t n = 0;
  double median = 0, min = 0, max = 0;
};
// Median (mean of the two middle values for an even count, as numpy and DLPerf do), min, max.
// nullopt for an empty sample.
std::optional<MedianStats> median_stats(std::vector<double> values);

struct MeanStd {
  int64_t n = 0;
  double mean = 0;
  std::optional<double> std;  // sample standard deviation (n - 1); needs n >= 2
};
std::optional<MeanStd> mean_std(const std::vector<double>& values);

// MLPerf olympic mean (result_summarizer._compute_olympic_average): `scores` are the per-run
// scores of successful runs; `failed` counts runs that did not succeed. ResNet needs `required`
// (5) runs; one failure counts as the dropped slowest; more than one gives no score.
struct OlympicResult {
  std::optional<double> score;  // already multiplied by scaling_factor
  int64_t successes = 0, failures = 0;
  double scaling_factor = 1.0;
  std::vector<double> counted;  // the scores averaged, ascending
  std::string reason;           // why there is no score (empty when there is one)
};
OlympicResult olympic_mean(std::vector<double> scores, int64_t failed, int64_t required = 5,
                           double scaling_factor = 1.0);

// speedup = x_n / x_1; efficiency = speedup / devices. nullopt when x_1 <= 0 or devices <= 0.
std::optional<double> speedup(double x_n, double x_1);
std::optional<double> efficiency(double speedup, int64_t devices);

}  // namespace rn50::report
