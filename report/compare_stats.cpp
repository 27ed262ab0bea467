#include "report/compare_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

namespace rn50::report {

namespace {

// Continued fraction of I_x(a, b) (modified Lentz); converges fast for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  constexpr int kMaxIterations = 500;
  constexpr double kEps = 1e-16, kTiny = 1e-300;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  return h;
}

// Upper tail P(T > t) for t >= 0: I_{df/(df+t²)}(df/2, 1/2) / 2, exact in the far tail.
double student_t_upper_tail(double t, double df) {
  return 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

double binomial(int64_t n, int64_t k) {
  double r = 1;
  for (int64_t i = 1; i <= k; ++i) r = r * static_cast<double>(n - k + i) / static_cast<double>(i);
  return r;
}

// counts[u] = number of orderings of m candidate and n baseline values (no ties) in which exactly
// u (candidate, baseline) pairs have the candidate larger. The largest value is either a
// candidate (larger than all n baselines: +n) or a baseline (+0).
std::vector<double> exact_u_counts(int64_t m, int64_t n) {
  // f[i][j]: distribution for i candidates and j baselines.
  std::vector<std::vector<std::vector<double>>> f(
      static_cast<size_t>(m + 1), std::vector<std::vector<double>>(static_cast<size_t>(n + 1)));
  for (int64_t i = 0; i <= m; ++i) {
    for (int64_t j = 0; j <= n; ++j) {
      auto& cur = f[static_cast<size_t>(i)][static_cast<size_t>(j)];
      cur.assign(static_cast<size_t>(i * j + 1), 0.0);
      if (i == 0 || j == 0) {
        cur[0] = 1;
        continue;
      }
      const auto& cand_last = f[static_cast<size_t>(i - 1)][static_cast<size_t>(j)];
      const auto& base_last = f[static_cast<size_t>(i)][static_cast<size_t>(j - 1)];
      for (size_t u = 0; u < cand_last.size(); ++u) cur[u + static_cast<size_t>(j)] += cand_last[u];
      for (size_t u = 0; u < base_last.size(); ++u) cur[u] += base_last[u];
    }
  }
  return f[static_cast<size_t>(m)][static_cast<size_t>(n)];
}

}  // namespace

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

double normal_quantile(double p) {
  if (!(p > 0 && p < 1))
    return p == 0 ? -std::numeric_limits<double>::infinity()
                  : std::numeric_limits<double>::infinity();
  // Acklam's rational approximation (relative error < 1.2e-9), then one Halley step on erfc.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - kLow) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

double student_t_cdf(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return t > 0 ? 1 : 0;
  const double tail = student_t_upper_tail(std::fabs(t), df);
  return t >= 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(df > 0) || !(p > 0 && p < 1)) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.5) return 0;
  if (p < 0.5) return -student_t_quantile(1 - p, df);
  // Upper tail probability q = 1 - p; find t >= 0 with P(T > t) = q (decreasing in t).
  const double q = 1 - p;
  double lo = 0, hi = 1;
  for (int i = 0; i < 200 && student_t_upper_tail(hi, df) > q; ++i) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_upper_tail(mid, df) > q ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::string RankTest::method() const {
  return exact ? "exact" : "normal approximation, tie-corrected";
}

double mann_whitney_min_p(int64_t n_baseline, int64_t n_candidate) {
  if (n_baseline <= 0 || n_candidate <= 0) return 1;
  return std::min(1.0, 2.0 / binomial(n_baseline + n_candidate, n_baseline));
}

std::optional<RankTest> mann_whitney(const std::vector<double>& baseline,
                                     const std::vector<double>& candidate) {
  if (baseline.empty() || candidate.empty()) return std::nullopt;
  RankTest r;
  r.n_baseline = static_cast<int64_t>(baseline.size());
  r.n_candidate = static_cast<int64_t>(candidate.size());
  for (double c : candidate)
    for (double b : baseline) r.u += c > b ? 1.0 : c == b ? 0.5 : 0.0;

  // Tie groups in the pooled sample.
  std::vector<double> pooled(baseline);
  pooled.insert(pooled.end(), candidate.begin(), candidate.end());
  std::sort(pooled.begin(), pooled.end());
  double tie_term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j] == pooled[i]) ++j;
    const double t = static_cast<double>(j - i);
    if (t > 1) {
      r.ties = true;
      tie_term += t * t * t - t;
    }
    i = j;
  }
  const double nb = static_cast<double>(r.n_baseline), nc = static_cast<double>(r.n_candidate);
  if (!r.ties && r.n_baseline <= kExactMaxN && r.n_candidate <= kExactMaxN) {
    r.exact = true;
    const auto counts = exact_u_counts(r.n_candidate, r.n_baseline);
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    const auto u = static_cast<size_t>(std::llround(r.u));
    double le = 0, ge = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
      if (k <= u) le += counts[k];
      if (k >= u) ge += counts[k];
    }
    r.p = std::min(1.0, 2 * std::min(le, ge) / total);
    return r;
  }
  const double n = nb + nc;
  const double var = nb * nc / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (!(var > 0)) {
    r.p = 1;  // every value tied: no evidence either way
    return r;
  }
  const double z = (std::fabs(r.u - nb * nc / 2) - 0.5) / std::sqrt(var);
  r.p = std::min(1.0, std::erfc(z / std::numbers::sqrt2));
  return r;
}

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return 0;
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double sample_sd(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

std::optional<WelchInterval> welch_interval(const std::vector<double>& baseline,
                                            const std::vector<double>& candidate, double level) {
  if (baseline.size() < 2 || candidate.size() < 2 || !(level > 0 && level < 1)) return std::nullopt;
  WelchInterval w;
  w.n_baseline = static_cast<int64_t>(baseline.size());
  w.n_candidate = static_cast<int64_t>(candidate.size());
  w.mean_baseline = mean_of(baseline);
  w.mean_candidate = mean_of(candidate);
  w.sd_baseline = sample_sd(baseline);
  w.sd_candidate = sample_sd(candidate);
  w.difference = w.mean_candidate - w.mean_baseline;
  const double vb = w.sd_baseline * w.sd_baseline / static_cast<double>(w.n_baseline);
  const double vc = w.sd_candidate * w.sd_candidate / static_cast<double>(w.n_candidate);
  w.se = std::sqrt(vb + vc);
  w.lo = w.hi = w.difference;
  if (!(w.se > 0)) return w;
  w.df = (vb + vc) * (vb + vc) /
         (vb * vb / static_cast<double>(w.n_baseline - 1) +
          vc * vc / static_cast<double>(w.n_candidate - 1));
  const double half = student_t_quantile(1 - (1 - level) / 2, w.df) * w.se;
  w.lo = w.difference - half;
  w.hi = w.difference + half;
  return w;
}

int64_t runs_per_side(double cv, double delta, double alpha, double power) {
  int64_t floor_n = 2;
  while (mann_whitney_min_p(floor_n, floor_n) >= alpha && floor_n < 1000) ++floor_n;
  if (!(cv > 0) || !(delta > 0)) return floor_n;
  const double z = normal_quantile(1 - alpha / 2) + normal_quantile(power);
  const double n_t = 2 * z * z * (cv / delta) * (cv / delta);
  const double n = std::ceil(n_t / (3 / std::numbers::pi) - 1e-9);
  if (!(n < 1e9)) return 1000000000;
  return std::max(floor_n, static_cast<int64_t>(n));
}

std::optional<double> pooled_cv(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0;
  int64_t df = 0;
  for (const auto* v : {&a, &b}) {
    if (v->size() < 2) continue;
    const double m = mean_of(*v);
    if (!(m > 0)) return std::nullopt;
    const double rel = sample_sd(*v) / m;
    num += static_cast<double>(v->size() - 1) * rel * rel;
    df += static_cast<int64_t>(v->size()) - 1;
  }
  if (df == 0) return std::nullopt;
  return std::sqrt(num / static_cast<double>(df));
}

}  // namespace rn50::report
