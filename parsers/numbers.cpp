#include "parsers/numbers.h"

#include <charconv>
#include <cmath>

namespace rn50::parsers {

namespace {

// Drops one leading '+' unless another sign follows it ("+-1" is not a number).
bool strip_plus(std::string_view& s) {
  if (s.empty()) return false;
  if (s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() == '+' || s.front() == '-') return false;
  }
  return true;
}

std::string range_text(int64_t lo, int64_t hi) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (lo == kMin && hi == kMax) return "of a 64-bit integer";
  if (hi == kMax) return ">= " + std::to_string(lo);
  if (lo == kMin) return "<= " + std::to_string(hi);
  return std::to_string(lo) + ".." + std::to_string(hi);
}

}  // namespace

std::optional<double> parse_double(std::string_view s) {
  if (!strip_plus(s)) return std::nullopt;
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_int(std::string_view s) {
  if (!strip_plus(s)) return std::nullopt;
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> to_int64(double v, std::string* why, int64_t lo, int64_t hi) {
  if (!std::isfinite(v)) {
    if (why) *why = format_double(v) + " is not a finite number";
    return std::nullopt;
  }
  if (std::trunc(v) != v) {
    if (why) *why = format_double(v) + " is not an integer";
    return std::nullopt;
  }
  // Every double in [-2^63, 2^63) converts exactly; 2^63 itself does not fit.
  constexpr double kTwo63 = 9223372036854775808.0;
  if (v < -kTwo63 || v >= kTwo63) {
    if (why) *why = format_double(v) + " is out of range " + range_text(lo, hi);
    return std::nullopt;
  }
  return in_range(static_cast<int64_t>(v), lo, hi, why);
}

std::optional<int64_t> in_range(int64_t v, int64_t lo, int64_t hi, std::string* why) {
  if (v < lo || v > hi) {
    if (why) *why = std::to_string(v) + " is out of range " + range_text(lo, hi);
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "?";
  return std::string(buf, p);
}

}  // namespace rn50::parsers
