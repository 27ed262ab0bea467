// The report keeps the runner's own tags out of its Runs table (report/run_values.h): every tag
// a plan gives its runs, except the role, must be on that list, or a new matrix key would land
// in every user's table.
#include <gtest/gtest.h>

#include <filesystem>

#include "report/run_values.h"
#include "runner/experiment.h"
#include "runner/plan.h"
#include "test_support.h"

namespace rn50::runner {
namespace {

namespace fs = std::filesystem;

TEST(BookkeepingTags, EveryPlanTagButRoleIsKnownToTheReport) {
  size_t checked = 0;
  for (const auto& e : fs::directory_iterator(testing::source_dir() / "experiments")) {
    if (e.path().extension() != ".yaml") continue;
    const Plan plan = expand_plan(load_experiment(e.path()));
    for (const auto& run : plan.runs)
      for (const auto& [key, value] : run.tags) {
        ++checked;
        if (key == "role") {
          EXPECT_FALSE(report::is_runner_bookkeeping_tag(key));
        } else {
          EXPECT_TRUE(report::is_runner_bookkeeping_tag(key)) << e.path() << ": tag " << key;
        }
      }
  }
  EXPECT_GT(checked, 0u);
  // run_ingest.cpp adds the attempt number to the plan's tags.
  EXPECT_TRUE(report::is_runner_bookkeeping_tag("attempt"));
}

}  // namespace
}  // namespace rn50::runner
