#include "report/runs_command_tables.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "fixture_runs.h"
#include "report_test_util.h"

namespace rn50::report {
namespace {

using namespace rn50::testing;

TEST(RunsCommandTables, DiffShowsOnlyWhatDiffers) {
  const auto runs = load_fixture_runs();
  const auto t = runs_diff_table(runs[0], runs[1]);  // two seeds of the same config
  std::set<std::string> keys;
  for (const auto& row : t.rows) keys.insert(row[0].text + "." + row[1].text);
  EXPECT_TRUE(keys.count("run.name"));
  EXPECT_TRUE(keys.count("tags.seed"));
  EXPECT_TRUE(keys.count("metrics.total_ips"));
  EXPECT_FALSE(keys.count("facts.world_size"));  // same in both
  EXPECT_FALSE(keys.count("params.arch"));
  EXPECT_FALSE(keys.count("run.id"));  // identity always differs, says nothing
  for (const auto& row : t.rows) EXPECT_NE(row[2].text, row[3].text);
}

TEST(RunsCommandTables, DiffOfAFactPresentOnlyOnOneSide) {
  const auto runs = load_fixture_runs();
  const auto t = runs_diff_table(runs[0], runs[8]);  // native vs mlperf
  bool batch = false;
  for (const auto& row : t.rows)
    if (row[1].text == "batch_per_device") {
      batch = true;
      EXPECT_EQ(row[2].text, "256");
      EXPECT_EQ(row[3].text, "(absent)");
    }
  EXPECT_TRUE(batch);
}

TEST(RunsCommandTables, IdenticalRunsSayThatTheyDoNotDiffer) {
  const auto runs = load_fixture_runs();
  const auto t = runs_diff_table(runs[0], runs[0]);
  EXPECT_TRUE(t.rows.empty());
  EXPECT_TRUE(contains(render_table(t, "table"), "do not differ"));
}

TEST(RunsCommandTables, ShowHasProvenanceAndParams) {
  auto runs = load_fixture_runs();
  runs[0].run.world_size.set(1, core::Source::kUser);
  const auto t = run_show_table(runs[0]);
  bool ws = false, gpu = false;
  for (const auto& row : t.rows) {
    if (row[1].text == "world_size") {
      ws = true;
      EXPECT_EQ(row[3].text, "user");
    }
    if (row[1].text == "system.gpu") {
      gpu = true;
      EXPECT_EQ(row[0].text, "environment");
    }
  }
  EXPECT_TRUE(ws && gpu);
}

TEST(RunsCommandTables, FormatsAreParseableAndUnknownFormatIsAUsageError) {
  const auto t = runs_list_table(load_fixture_runs());
  const auto j = nlohmann::json::parse(render_table(t, "json"));
  ASSERT_EQ(j.size(), 13u);
  EXPECT_EQ(j[0]["id"], 1);
  EXPECT_EQ(j[0]["best_top1"], 76.1);
  EXPECT_TRUE(j[8]["devices"].is_number());
  const std::string csv = render_table(t, "csv");
  // header + 13 rows + the line break inside one name's quoted field (RFC 4180 keeps it)
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 15);
  EXPECT_EQ(j[6]["name"].get<std::string>().find('\n') != std::string::npos, true);
  EXPECT_TRUE(contains(render_table(t, "md"), "| id |"));
  EXPECT_THROW(render_table(t, "xml"), core::UsageError);
}

}  // namespace
}  // namespace rn50::report
