#include "report/compare_bootstrap.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rn50::report {

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {

std::mt19937_64 seeded_engine(uint64_t seed, std::string_view stream) {
  const uint64_t h = fnv1a64(stream);
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(h), static_cast<uint32_t>(h >> 32)};
  return std::mt19937_64(seq);
}

BootstrapInterval percentile_bounds(double estimate, std::vector<double>& stats, double level) {
  std::sort(stats.begin(), stats.end());
  BootstrapInterval r;
  r.estimate = estimate;
  r.resamples = static_cast<int64_t>(stats.size());
  r.lo = quantile_linear(stats, (1 - level) / 2);
  r.hi = quantile_linear(stats, (1 + level) / 2);
  return r;
}

}  // namespace

BootstrapRng::BootstrapRng(uint64_t seed, std::string_view stream)
    : engine_(seeded_engine(seed, stream)) {}

uint64_t BootstrapRng::below(uint64_t n) {
  if (n <= 1) return 0;
  const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  uint64_t x = engine_();
  while (x < threshold) x = engine_();
  return x % n;
}

double quantile_linear(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("quantile of an empty sample");
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<size_t>(std::floor(pos));
  if (i + 1 >= sorted.size()) return sorted.back();
  const double frac = pos - static_cast<double>(i);
  return sorted[i] + (sorted[i + 1] - sorted[i]) * frac;
}

namespace {

double mean_value(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double mean_resample(const std::vector<double>& v, BootstrapRng& rng) {
  const auto n = static_cast<uint64_t>(v.size());
  double s = 0;
  for (uint64_t i = 0; i < n; ++i) s += v[rng.below(n)];
  return s / static_cast<double>(n);
}

double rate_of(const std::vector<WorkInterval>& v) {
  double w = 0, s = 0;
  for (const auto& x : v) {
    w += x.work;
    s += x.seconds;
  }
  return s > 0 ? w / s : 0.0;
}

// Σ work / Σ seconds of one moving-block resample of `v` (non-empty).
double block_resample_rate(const std::vector<WorkInterval>& v, BootstrapRng& rng) {
  const size_t n = v.size();
  const auto len = static_cast<size_t>(block_length(n));
  const uint64_t starts = n - len + 1;
  double w = 0, s = 0;
  size_t taken = 0;
  while (taken < n) {
    const auto start = static_cast<size_t>(rng.below(starts));
    for (size_t k = 0; k < len && taken < n; ++k, ++taken) {
      w += v[start + k].work;
      s += v[start + k].seconds;
    }
  }
  return s > 0 ? w / s : 0.0;
}

}  // namespace

BootstrapInterval bootstrap_ratio_of_means(const std::vector<double>& baseline,
                                           const std::vector<double>& candidate, BootstrapRng& rng,
                                           int64_t resamples, double level) {
  if (baseline.empty() || candidate.empty() || !(mean_value(baseline) > 0))
    throw std::invalid_argument("bootstrap needs non-empty samples with a positive mean");
  std::vector<double> stats;
  stats.reserve(static_cast<size_t>(resamples));
  for (int64_t r = 0; r < resamples; ++r) {
    const double mb = mean_resample(baseline, rng);
    const double mc = mean_resample(candidate, rng);
    if (mb > 0) stats.push_back(mc / mb);  // always with positive values; guards a zero mean
  }
  if (stats.empty()) throw std::invalid_argument("bootstrap: no usable resample");
  return percentile_bounds(mean_value(candidate) / mean_value(baseline), stats, level);
}

BootstrapInterval bootstrap_mean(const std::vector<double>& values, BootstrapRng& rng,
                                 int64_t resamples, double level) {
  if (values.empty()) throw std::invalid_argument("bootstrap of an empty sample");
  std::vector<double> stats;
  stats.reserve(static_cast<size_t>(resamples));
  for (int64_t r = 0; r < resamples; ++r) stats.push_back(mean_resample(values, rng));
  return percentile_bounds(mean_value(values), stats, level);
}

int64_t block_length(size_t n) {
  if (n == 0) return 1;
  return std::max<int64_t>(1, std::llround(std::cbrt(static_cast<double>(n))));
}

BootstrapInterval block_bootstrap_rate_ratio(const std::vector<WorkInterval>& baseline,
                                             const std::vector<WorkInterval>& candidate,
                                             BootstrapRng& rng, int64_t resamples, double level) {
  if (baseline.empty() || candidate.empty() || !(rate_of(baseline) > 0) ||
      !(rate_of(candidate) > 0))
    throw std::invalid_argument("block bootstrap needs series with positive sums");
  std::vector<double> stats;
  stats.reserve(static_cast<size_t>(resamples));
  for (int64_t r = 0; r < resamples; ++r) {
    const double rb = block_resample_rate(baseline, rng);
    const double rc = block_resample_rate(candidate, rng);
    if (rb > 0) stats.push_back(rc / rb);
  }
  if (stats.empty()) throw std::invalid_argument("block bootstrap: no usable resample");
  return percentile_bounds(rate_of(candidate) / rate_of(baseline), stats, level);
}

BootstrapInterval block_bootstrap_rate(const std::vector<WorkInterval>& series, BootstrapRng& rng,
                                       int64_t resamples, double level) {
  if (series.empty() || !(rate_of(series) > 0))
    throw std::invalid_argument("block bootstrap needs a series with positive sums");
  std::vector<double> stats;
  stats.reserve(static_cast<size_t>(resamples));
  for (int64_t r = 0; r < resamples; ++r) stats.push_back(block_resample_rate(series, rng));
  return percentile_bounds(rate_of(series), stats, level);
}

}  // namespace rn50::report
