#include "report/svg_axis.h"

#include <algorithm>
#include <cmath>

#include "report/text_format.h"

namespace rn50::report {

Ticks nice_ticks(double lo, double hi, int max_ticks) {
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
    const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, max_ticks - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double res = raw / mag;
  const double unit = res <= 1 ? 1 : res <= 2 ? 2 : res <= 5 ? 5 : 10;
  const double step = unit * mag;
  // Integer multiples of the step: no accumulated floating-point drift in the labels.
  const long long k0 = static_cast<long long>(std::floor(lo / step + 1e-9));
  const long long k1 = static_cast<long long>(std::ceil(hi / step - 1e-9));
  Ticks t;
  t.lo = static_cast<double>(k0) * step;
  t.hi = static_cast<double>(k1) * step;
  for (long long k = k0; k <= k1; ++k) t.values.push_back(static_cast<double>(k) * step);
  t.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return t;
}

Ticks log2_ticks(double lo, double hi) {
  if (hi < lo) std::swap(lo, hi);
  int e0 = static_cast<int>(std::floor(std::log2(lo) + 1e-9));
  int e1 = static_cast<int>(std::ceil(std::log2(hi) - 1e-9));
  if (e0 == e1) {
    --e0;
    ++e1;
  }
  Ticks t;
  t.lo = std::exp2(e0);
  t.hi = std::exp2(e1);
  for (int e = e0; e <= e1; ++e) t.values.push_back(std::exp2(e));
  t.decimals = e0 < 0 ? -e0 : 0;
  return t;
}

Ticks integer_ticks(double lo, double hi, int max_ticks) {
  if (hi < lo) std::swap(lo, hi);
  lo = std::floor(lo);
  if (std::ceil(hi) <= lo) {
    // One epoch: centred, one tick, rather than a point on the axis line.
    Ticks t;
    t.lo = lo - 0.5;
    t.hi = lo + 0.5;
    t.values = {lo};
    return t;
  }
  hi = std::ceil(hi);
  const Ticks nice = nice_ticks(lo, hi, max_ticks);
  const double step =
      nice.values.size() > 1 ? std::max(1.0, std::round(nice.values[1] - nice.values[0])) : 1.0;
  Ticks t;
  t.lo = lo;
  t.hi = std::max(hi, std::ceil(hi / step) * step);
  t.decimals = 0;
  if (std::fmod(lo, step) != 0) t.values.push_back(lo);  // the first epoch is always labelled
  for (double v = std::ceil(lo / step) * step; v <= t.hi + 1e-9; v += step) t.values.push_back(v);
  return t;
}

std::string tick_label(double v, int decimals) { return fmt_fixed(v, decimals); }

Scale::Scale(double d0, double d1, double p0, double p1, bool log2)
    : d0_(d0), d1_(d1), p0_(p0), p1_(p1), log2_(log2) {}

double Scale::operator()(double v) const {
  double a = d0_, b = d1_, x = v;
  if (log2_) {
    a = std::log2(a);
    b = std::log2(b);
    x = std::log2(x);
  }
  if (b == a) return (p0_ + p1_) / 2;
  return p0_ + (x - a) / (b - a) * (p1_ - p0_);
}

}  // namespace rn50::report
