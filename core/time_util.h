// Timestamps. Logs print naive local times (dllogger: str(datetime.now())); we read them as UTC so
// that differences are exact; absolute values are only labels (docs/definitions.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rn50::core {

// "YYYY-MM-DD HH:MM:SS[.ffffff]" -> unix seconds, or nullopt when malformed.
std::optional<double> parse_datetime(std::string_view text);

// Days since 1970-01-01 for a civil date (proleptic Gregorian).
long long days_from_civil(long long y, unsigned m, unsigned d);

// unix seconds -> "YYYY-MM-DDTHH:MM:SS.mmmZ"
std::string format_iso8601(double unix_seconds);

}  // namespace rn50::core
