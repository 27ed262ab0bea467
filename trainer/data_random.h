// The data pipeline's only source of randomness: SplitMix64, written out here so that shuffles
// and augmentations are bit-identical on every standard library (std::shuffle and the std::
// distributions are implementation-defined). docs/data.md states the exact algorithm.
#pragma once

#include <cstdint>

namespace rn50::trainer::data {

// SplitMix64's output function (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

// Derives an independent stream key from a key and a counter (epoch, sample index, ...).
constexpr uint64_t derive_key(uint64_t key, uint64_t counter) {
  return mix64(key + kGolden * (counter + 1));
}

class SplitMix64 {
 public:
  explicit constexpr SplitMix64(uint64_t state) : state_(state) {}

  constexpr uint64_t next() {
    state_ += kGolden;
    return mix64(state_);
  }

  // Uniform in [0, n) without modulo bias: rejects the lowest 2^64 mod n raw values.
  constexpr uint64_t below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
      const uint64_t x = next();
      if (x >= threshold) return x % n;
    }
  }

  // Uniform in [0, 1) with 53 random bits.
  constexpr double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform in [lo, hi).
  constexpr double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

 private:
  uint64_t state_;
};

}  // namespace rn50::trainer::data
