#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "runner/experiment_runner.h"
#include "runner/progress_view.h"
#include "test_support.h"

namespace rn50::runner {
namespace {

// Host-list expansion itself: tests/core/slurm_hostlist_test.cpp.
TEST(Slurm, ScopeFromEnvironmentUnlessGiven) {
  ::setenv("SLURM_NNODES", "4", 1);
  ::setenv("SLURM_NODEID", "2", 1);
  ::setenv("SLURM_JOB_NODELIST", "dgx[010-013]", 1);
  ::unsetenv("MASTER_ADDR");
  ::unsetenv("MASTER_PORT");
  LaunchScope s;
  apply_slurm_environment(s);
  EXPECT_EQ(s.nnodes, 4);
  EXPECT_EQ(s.node_rank, 2);
  EXPECT_EQ(s.master_addr, "dgx010");
  LaunchScope given;
  given.nnodes = 1;
  apply_slurm_environment(given);
  EXPECT_EQ(given.node_rank, 0);
  ::unsetenv("SLURM_NNODES");
  ::unsetenv("SLURM_NODEID");
  ::unsetenv("SLURM_JOB_NODELIST");
  LaunchScope none;
  apply_slurm_environment(none);
  EXPECT_FALSE(none.nnodes.has_value());
}

TEST(Progress, FollowsTheNativeLogAsItGrows) {
  auto dir = testing::make_temp_dir("rn50-progress");
  auto log = dir / "rn50_log.jsonl";
  ProgressTracker t(log);
  t.poll();  // absent: nothing
  EXPECT_FALSE(t.seen_any);
  {
    std::ofstream out(log);
    out << R"({"type":"header","config":{"epochs":2},"steps_per_epoch":10,"time":100})"
        << "\n";
    out << R"({"type":"train_step","epoch":0,"step":2,"steps":10,"metrics":{"train.total_ips":50.0},"time":101})"
        << "\n";
    out << R"({"type":"train_step","epoch":0,"step":4,"steps":10,"metr)";  // half a line
  }
  t.poll();
  EXPECT_TRUE(t.seen_any);
  EXPECT_EQ(t.epochs, 2);
  EXPECT_EQ(t.step, 2);
  EXPECT_DOUBLE_EQ(t.images_per_s, 50.0);
  EXPECT_FALSE(t.eta_s.has_value());
  {
    std::ofstream out(log, std::ios::app);
    out << R"(ics":{"train.total_ips":60.0},"time":103})"
        << "\n";
    out << R"({"type":"eval","epoch":0,"metrics":{"val.top1":71.5},"time":104})"
        << "\n";
  }
  t.poll();
  EXPECT_EQ(t.step, 4);
  EXPECT_DOUBLE_EQ(t.images_per_s, 60.0);
  ASSERT_TRUE(t.eta_s.has_value());
  EXPECT_DOUBLE_EQ(*t.eta_s, 16.0);  // 2 steps per 2 s; 20 - 4 steps left
  ASSERT_TRUE(t.last_top1.has_value());
  EXPECT_DOUBLE_EQ(*t.last_top1, 71.5);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rn50::runner
