#include "core/time_util.h"

#include <gtest/gtest.h>

namespace rn50::core {
namespace {

TEST(ParseDatetime, MicrosecondsAndNone) {
  // 2021-03-23 09:25:16 UTC = 1616491516
  auto a = parse_datetime("2021-03-23 09:25:16.839221");
  ASSERT_TRUE(a);
  EXPECT_NEAR(*a, 1616491516.839221, 1e-6);
  // Python str(datetime) drops the fraction when microseconds are 0.
  auto b = parse_datetime("2021-03-23 09:25:16");
  ASSERT_TRUE(b);
  EXPECT_DOUBLE_EQ(*b, 1616491516.0);
  auto c = parse_datetime("2021-03-23T09:25:16.5");
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(*c, 1616491516.5);
}

TEST(ParseDatetime, RejectsMalformed) {
  EXPECT_FALSE(parse_datetime(""));
  EXPECT_FALSE(parse_datetime("2021-03-23"));
  EXPECT_FALSE(parse_datetime("2021-13-23 09:25:16"));
  EXPECT_FALSE(parse_datetime("2021-03-23 09:25:1x"));
  EXPECT_FALSE(parse_datetime("2021-03-23 09:25:16."));
}

TEST(ParseDatetime, DifferencesAcrossDays) {
  // AI-Rank 1-card: first iteration -> Summary.
  auto start = parse_datetime("2021-03-23 09:25:16.839221");
  auto end = parse_datetime("2021-03-24 23:34:12.118776");
  ASSERT_TRUE(start && end);
  EXPECT_NEAR(*end - *start, 137335.279555, 1e-5);
}

TEST(FormatIso8601, RoundTrip) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(1616491516.839221), "2021-03-23T09:25:16.839Z");
  EXPECT_EQ(format_iso8601(951782400), "2000-02-29T00:00:00.000Z");
}

}  // namespace
}  // namespace rn50::core
