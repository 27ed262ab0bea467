#include "core/time_util.h"

#include <cmath>
#include <cstdio>

namespace rn50::core {

long long days_from_civil(long long y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: exact for every proleptic Gregorian date.
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

namespace {
bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}
}  // namespace

std::optional<double> parse_datetime(std::string_view t) {
  // Accepts YYYY-MM-DD HH:MM:SS or with 'T', optional fraction of any length.
  int y, mo, d, h, mi, s;
  if (!digits(t, 0, 4, y) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
      !digits(t, 8, 2, d) || (t[10] != ' ' && t[10] != 'T') || !digits(t, 11, 2, h) ||
      t[13] != ':' || !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, s))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  double frac = 0;
  size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    double scale = 0.1;
    ++pos;
    size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      frac += (t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  const long long days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return static_cast<double>(days * 86400LL + h * 3600LL + mi * 60LL + s) + frac;
}

std::string format_iso8601(double unix_seconds) {
  long long total_ms = std::llround(unix_seconds * 1000.0);
  long long secs = total_ms >= 0 ? total_ms / 1000 : -((-total_ms + 999) / 1000);
  int ms = static_cast<int>(total_ms - secs * 1000);
  long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  long long rem = secs - days * 86400;
  // civil_from_days (Hinnant)
  long long z = days + 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];  // room for any long long year, so the text is never cut
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03dZ", y, m, d, rem / 3600,
                (rem / 60) % 60, rem % 60, ms);
  return buf;
}

}  // namespace rn50::core
