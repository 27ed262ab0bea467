// Two-sample statistics behind `rn50-exp compare` (docs/compare.md): distributions, the
// Mann–Whitney U rank test, Welch's interval for a difference of means, and the runs-per-side
// estimate of the verdict. Pure functions, no randomness (bootstrap: report/compare_bootstrap.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rn50::report {

// Standard normal distribution function and its inverse (p in (0, 1)).
double normal_cdf(double x);
double normal_quantile(double p);

// Student's t distribution with `df` > 0 degrees of freedom (any real df, as Welch needs):
// CDF through the regularized incomplete beta function, quantile by bisection on the CDF.
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);

// Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1] (continued fraction, Lentz).
double incomplete_beta(double a, double b, double x);

// Two-sided Mann–Whitney U test of candidate vs baseline.
//   u: U of the candidate sample = #(c > b) + 0.5 #(c == b) over all pairs; n_c * n_b / 2 under
//      the null, n_c * n_b when every candidate value is larger.
//   exact (no ties, both samples <= kExactMaxN): p = min(1, 2 min(P(U <= u), P(U >= u))) from the
//      exact null distribution of U (counted by recursion over the combined ordering).
//   otherwise: normal approximation with the tie-corrected variance
//      n_c n_b / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1))) and a continuity correction of 0.5
//      (scipy.stats.mannwhitneyu method="asymptotic", use_continuity=True).
// nullopt when a sample is empty.
struct RankTest {
  double u = 0;
  double p = 1;
  bool exact = false;
  bool ties = false;
  int64_t n_baseline = 0, n_candidate = 0;
  std::string method() const;  // "exact" / "normal approximation, tie-corrected"
};
inline constexpr int64_t kExactMaxN = 20;
std::optional<RankTest> mann_whitney(const std::vector<double>& baseline,
                                     const std::vector<double>& candidate);
// Smallest two-sided exact p-value reachable with these sample sizes (complete separation):
// 2 / C(n_b + n_c, n_b). 3 vs 3 -> 0.1: such a comparison can never reach p < 0.05.
double mann_whitney_min_p(int64_t n_baseline, int64_t n_candidate);

// Welch's interval for mean(candidate) - mean(baseline) at `level` (0.95): difference ± t_{1 -
// (1-level)/2, df} * se with se² = s_c²/n_c + s_b²/n_b and the Welch–Satterthwaite df. Needs two
// values per side; nullopt otherwise. When both standard deviations are 0, se = 0 and the
// interval is the point (df is then reported as 0).
struct WelchInterval {
  double difference = 0, lo = 0, hi = 0, se = 0, df = 0;
  double mean_baseline = 0, mean_candidate = 0;
  double sd_baseline = 0, sd_candidate = 0;
  int64_t n_baseline = 0, n_candidate = 0;
};
std::optional<WelchInterval> welch_interval(const std::vector<double>& baseline,
                                            const std::vector<double>& candidate,
                                            double level = 0.95);

// Runs per side a two-sided test at level alpha with power `power` needs to detect a relative
// difference `delta` (0.01 = 1 %) when runs vary with coefficient of variation `cv`: normal
// approximation n = 2 (z_{1-alpha/2} + z_power)² (cv / delta)², divided by 3/pi (the asymptotic
// relative efficiency of the Mann–Whitney test to the t-test under normality), rounded up, and at
// least the smallest n per side at which the exact rank test can reach p < alpha (4 for 0.05).
int64_t runs_per_side(double cv, double delta, double alpha = 0.05, double power = 0.8);
// Pooled coefficient of variation of two samples: sqrt of the pooled (n-1)-weighted relative
// variances (s/mean)². nullopt without at least one side of two values or with a mean <= 0.
std::optional<double> pooled_cv(const std::vector<double>& a, const std::vector<double>& b);

double mean_of(const std::vector<double>& v);    // 0 for an empty vector
double sample_sd(const std::vector<double>& v);  // n - 1; 0 for fewer than two values

}  // namespace rn50::report
