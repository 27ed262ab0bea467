// Numbers read from logs, and the range checks every narrowing of them goes through. A log may say
// "world_size": 0, an epoch of 1e300 or a batch of NaN; such a value becomes a diagnostic naming
// the line and the key, never undefined behaviour, a crash or a garbage integer in the store.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace rn50::parsers {

// The whole of `s` is one decimal number (no surrounding spaces): an optional sign ('+' is
// accepted, Python's str() never writes one but people's scripts do), digits, fraction, exponent,
// or nan / inf / infinity in any case. Out of the double range: nullopt.
std::optional<double> parse_double(std::string_view s);
// The whole of `s` is a decimal integer in the int64 range (optional sign, no fraction).
std::optional<int64_t> parse_int(std::string_view s);

// `v` as an integer in [lo, hi]: nullopt unless it is finite, integral and in range; `why` (when
// given) then says which, quoting the value ("1e+300 is out of range 1..1048576").
std::optional<int64_t> to_int64(double v, std::string* why = nullptr,
                                int64_t lo = std::numeric_limits<int64_t>::min(),
                                int64_t hi = std::numeric_limits<int64_t>::max());
// The same check for a value that is already an integer.
std::optional<int64_t> in_range(int64_t v, int64_t lo, int64_t hi, std::string* why = nullptr);

// a * b, or nullopt when it overflows int64.
std::optional<int64_t> checked_mul(int64_t a, int64_t b);

// A double as Python's repr() would print it (shortest text that reads back the same), for
// messages and for numbers kept as text.
std::string format_double(double v);

// What a real training run can have. A log value beyond these is a diagnostic, not a fact (they
// also keep every product of facts, such as batch x world size, far from overflowing).
inline constexpr int64_t kMaxWorldSize = int64_t(1) << 20;  // devices
inline constexpr int64_t kMaxBatch = int64_t(1) << 30;      // images per device or per step
inline constexpr int64_t kMaxEpochs = int64_t(1) << 20;     // planned or logged epochs
inline constexpr int64_t kMaxStep = int64_t(1) << 53;       // iteration numbers (exact doubles)

}  // namespace rn50::parsers
