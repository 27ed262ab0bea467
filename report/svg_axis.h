// Axis scales and tick choice for the SVG charts: linear axes get "nice" 1-2-5 steps, the device
// axis is log2 with one tick per power of two.
#pragma once

#include <string>
#include <vector>

namespace rn50::report {

struct Ticks {
  double lo = 0, hi = 1;       // the axis range, widened to whole steps
  std::vector<double> values;  // tick positions, ascending
  int decimals = 0;            // digits needed to print every tick distinctly
};

// Ticks for [lo, hi] with a step of 1, 2 or 5 x 10^k and at most about `max_ticks` ticks.
// A degenerate range (lo == hi) is widened around the value.
Ticks nice_ticks(double lo, double hi, int max_ticks = 6);

// Powers of two covering [lo, hi] (lo > 0).
Ticks log2_ticks(double lo, double hi);

// Whole-number ticks for counted axes (epochs): the axis starts exactly at floor(lo) (the first
// epoch, not a rounder number before it) and every tick is an integer; a single value is
// centred in [lo - 0.5, lo + 0.5] with one tick.
Ticks integer_ticks(double lo, double hi, int max_ticks = 8);

std::string tick_label(double v, int decimals);

// Maps a data value to a pixel coordinate.
class Scale {
 public:
  Scale(double d0, double d1, double p0, double p1, bool log2 = false);
  double operator()(double v) const;

 private:
  double d0_, d1_, p0_, p1_;
  bool log2_;
};

}  // namespace rn50::report
