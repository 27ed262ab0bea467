#include "store/metric_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "store/database.h"
#include "store/ingest.h"
#include "store/sqlite_util.h"
#include "store_fixture.h"

namespace rn50::store {
namespace {

core::MetricPoint point(const std::string& key, const std::string& level, int64_t step,
                        double value) {
  return {key, level, 0.0, step, 1616491482.0 + double(step), value};
}

using Row = std::tuple<std::string, std::string, int64_t, double>;

std::vector<Row> rows(const std::vector<core::MetricPoint>& points) {
  std::vector<Row> out;
  for (const auto& m : points) out.emplace_back(m.key, m.level, *m.step, m.value);
  return out;
}

TEST(GroupBySeries, ContiguousSeriesInFirstAppearanceOrderKeepingLogOrder) {
  // Two keys per record, a third key every other record, the same key at two levels, and a
  // record that prints its keys in another order: the prediction must not be trusted blindly.
  std::vector<core::MetricPoint> p = {
      point("train.loss", "iter", 1, 7.0),      point("train.total_ips", "iter", 1, 800),
      point("train.lr", "iter", 1, 0.1),        point("train.loss", "iter", 2, 6.9),
      point("train.total_ips", "iter", 2, 810), point("train.total_ips", "iter", 3, 820),
      point("train.loss", "iter", 3, 6.8),      point("train.lr", "iter", 3, 0.2),
      point("train.loss", "epoch", 3, 6.85),    point("train.loss", "iter", 4, 6.7),
  };
  group_by_series(p);
  const std::vector<Row> want = {
      {"train.loss", "iter", 1, 7.0},      {"train.loss", "iter", 2, 6.9},
      {"train.loss", "iter", 3, 6.8},      {"train.loss", "iter", 4, 6.7},
      {"train.total_ips", "iter", 1, 800}, {"train.total_ips", "iter", 2, 810},
      {"train.total_ips", "iter", 3, 820}, {"train.lr", "iter", 1, 0.1},
      {"train.lr", "iter", 3, 0.2},        {"train.loss", "epoch", 3, 6.85},
  };
  EXPECT_EQ(rows(p), want);
  group_by_series(p);  // already grouped: unchanged
  EXPECT_EQ(rows(p), want);
  std::vector<core::MetricPoint> none;
  group_by_series(none);
  EXPECT_TRUE(none.empty());
}

std::vector<Row> history(Database& db) {
  Statement st(db.raw(),
               "SELECT key, level, step, value FROM v_metric_history ORDER BY key, level, seq");
  std::vector<Row> out;
  while (st.step())
    out.emplace_back(st.col_text(0), st.col_text(1), st.col_int(2), st.col_double(3));
  return out;
}

// Ingest groups on its parsing threads; other callers hand interleaved points to the writer.
// Both must store the same history.
TEST(MetricWriter, GroupedAndInterleavedInputStoreTheSameHistory) {
  core::ParsedFile a = testing::make_parsed(1, 50);
  core::ParsedFile b = a;
  for (core::RunRecord& r : b.runs) group_by_series(r.metrics);
  ASSERT_NE(rows(a.runs[0].metrics), rows(b.runs[0].metrics));
  auto db_a = Database::open(":memory:");
  auto db_b = Database::open(":memory:");
  ingest_parsed(*db_a, testing::make_file("a.log"), a, {});
  ingest_parsed(*db_b, testing::make_file("a.log"), b, {});
  const std::vector<Row> ha = history(*db_a);
  EXPECT_EQ(ha.size(), a.runs[0].metrics.size());
  EXPECT_EQ(ha, history(*db_b));
}

}  // namespace
}  // namespace rn50::store
