// Seeded bootstrap intervals for `rn50-exp compare` (docs/compare.md "Intervals"). Output is
// byte-identical for the same seed on every platform: the generator is std::mt19937_64 (its
// output sequence is fixed by the C++ standard) and indices are drawn by our own rejection
// sampling, never by std::uniform_int_distribution (whose algorithm differs between libraries).
#pragma once

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace rn50::report {

class BootstrapRng {
 public:
  // One generator per interval: seeded by std::seed_seq{seed (2 words), FNV-1a 64 of `stream`
  // (2 words)}, so an interval does not depend on which other intervals were computed before it.
  BootstrapRng(uint64_t seed, std::string_view stream);
  // Uniform integer in [0, n), n >= 1: rejection of the 2^64 mod n lowest values, then modulo.
  uint64_t below(uint64_t n);

 private:
  std::mt19937_64 engine_;
};

uint64_t fnv1a64(std::string_view s);

struct BootstrapInterval {
  double estimate = 0;  // the statistic on the data as observed
  double lo = 0, hi = 0;
  int64_t resamples = 0;
};

// Percentile interval at `level` of mean(candidate) / mean(baseline): each resample draws
// n_b baseline values and n_c candidate values with replacement, independently; the bounds are
// the (1-level)/2 and (1+level)/2 quantiles (linear interpolation between order statistics,
// numpy's default) of the resampled ratios. Needs non-empty samples with a positive mean.
BootstrapInterval bootstrap_ratio_of_means(const std::vector<double>& baseline,
                                           const std::vector<double>& candidate, BootstrapRng& rng,
                                           int64_t resamples, double level = 0.95);

// One measured interval of a run: `work` units (iterations) in `seconds`.
struct WorkInterval {
  double work = 0, seconds = 0;
};
// Moving-block bootstrap (Künsch) of the rate ratio (Σ work_c / Σ seconds_c) / (Σ work_b /
// Σ seconds_b) over the two series in log order: each side is rebuilt from ceil(n / L) blocks of
// L consecutive intervals with uniformly drawn starts (truncated to n), L = max(1, round(n^(1/3))),
// sides independent; percentile bounds as above. Keeps the autocorrelation of step times inside
// a block. Needs non-empty series with positive sums.
BootstrapInterval block_bootstrap_rate_ratio(const std::vector<WorkInterval>& baseline,
                                             const std::vector<WorkInterval>& candidate,
                                             BootstrapRng& rng, int64_t resamples,
                                             double level = 0.95);
int64_t block_length(size_t n);

// One-sample versions for per-side bars in plots: percentile interval of the mean of `values`
// (resamples of n values with replacement), and of the rate Σ work / Σ seconds of one series
// (moving blocks as above).
BootstrapInterval bootstrap_mean(const std::vector<double>& values, BootstrapRng& rng,
                                 int64_t resamples, double level = 0.95);
BootstrapInterval block_bootstrap_rate(const std::vector<WorkInterval>& series, BootstrapRng& rng,
                                       int64_t resamples, double level = 0.95);

// numpy.quantile(sorted, q) with the default "linear" method, `sorted` ascending and non-empty.
double quantile_linear(const std::vector<double>& sorted, double q);

}  // namespace rn50::report
