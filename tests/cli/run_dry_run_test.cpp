// `rn50-exp run --dry-run` of every shipped experiment, and validation failures of `run`:
// exit code 2, the file:line: key message, nothing written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "test_support.h"

namespace {

namespace fs = std::filesystem;

struct Output {
  int exit_code = -1;
  std::string text;  // stdout + stderr
};

Output run(const std::string& args, const fs::path& cwd) {
  const std::string cmd =
      "cd '" + cwd.string() + "' && '" + std::string(RN50_BINARY) + "' " + args + " 2>&1";
  Output out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.text.append(buf.data(), n);
  const int status = ::pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

fs::path experiments() { return rn50::testing::source_dir() / "experiments"; }

class RunCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rn50::testing::make_temp_dir("rn50-run-cli"); }
  void TearDown() override { fs::remove_all(dir_); }
  void expect_nothing_written() {
    EXPECT_FALSE(fs::exists(dir_ / "runs"));
    EXPECT_FALSE(fs::exists(dir_ / "rn50.db"));
  }
  fs::path dir_;
};

TEST_F(RunCli, DryRunDlperfShowsTheSeedPlan) {
  Output o = run(
      "run --dry-run '" + (experiments() / "dlperf-rn50-throughput-1n1g-4n8g.yaml").string() + "'",
      dir_);
  ASSERT_EQ(o.exit_code, 0) << o.text;
  EXPECT_NE(o.text.find("role throughput, 25 runs"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("1n1g-fp32-bs128-seed0-r0-"), std::string::npos);
  EXPECT_NE(o.text.find("nodes 1 x ranks 1 = 1  batch/device 128  global batch 128  lr 0.128"),
            std::string::npos);
  EXPECT_NE(o.text.find("nodes 1 x ranks 8 = 8  batch/device 128  global batch 1024  lr 1.024"),
            std::string::npos);
  EXPECT_NE(o.text.find("nodes 2 x ranks 8 = 16  batch/device 128  global batch 2048  lr 2.048"),
            std::string::npos);
  EXPECT_NE(o.text.find("nodes 4 x ranks 8 = 32  batch/device 128  global batch 4096  lr 4.096"),
            std::string::npos);
  EXPECT_NE(o.text.find("epochs 1 (150 steps each)"), std::string::npos);
  EXPECT_NE(o.text.find("repeat 5/5"), std::string::npos);
  expect_nothing_written();
}

TEST_F(RunCli, DryRunNgcAndEnflame) {
  Output one = run(
      "run --dry-run '" + (experiments() / "ngc-rn50-1card-time2train-amp-90e.yaml").string() + "'",
      dir_);
  ASSERT_EQ(one.exit_code, 0) << one.text;
  EXPECT_NE(one.text.find("target top-1 75.9 %, 1 run"), std::string::npos) << one.text;
  EXPECT_NE(one.text.find("nodes 1 x ranks 1 = 1  batch/device 256  global batch 256  lr 0.256 "
                          "cosine warmup 8  epochs 90  precision amp"),
            std::string::npos)
      << one.text;
  Output eight = run(
      "run --dry-run '" + (experiments() / "ngc-rn50-8card-accuracy-amp-250e.yaml").string() + "'",
      dir_);
  ASSERT_EQ(eight.exit_code, 0) << eight.text;
  EXPECT_NE(eight.text.find("nodes 1 x ranks 8 = 8  batch/device 256  global batch 2048  lr 2.048 "
                            "cosine warmup 8  epochs 250  precision amp  seed 3"),
            std::string::npos)
      << eight.text;
  Output enflame =
      run("run --dry-run '" + (experiments() / "enflame-rn50-8card-90e-step.yaml").string() + "'",
          dir_);
  ASSERT_EQ(enflame.exit_code, 0) << enflame.text;
  EXPECT_NE(enflame.text.find("global batch 2048  lr 0.8 step  epochs 90"), std::string::npos)
      << enflame.text;
  expect_nothing_written();
}

TEST_F(RunCli, DryRunCpuExperimentsAndOverrides) {
  Output o = run("run --dry-run '" + (experiments() / "cpu-scaling.yaml").string() +
                     "' --set matrix.repeats=1",
                 dir_);
  ASSERT_EQ(o.exit_code, 0) << o.text;
  EXPECT_NE(o.text.find("2 runs"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("nodes 1 x ranks 2 = 2  batch/device 16  global batch 32"),
            std::string::npos);
  Output q = run("run --dry-run '" + (experiments() / "quickstart.yaml").string() + "'", dir_);
  EXPECT_EQ(q.exit_code, 0) << q.text;
  expect_nothing_written();
}

TEST_F(RunCli, InvalidFileExitsTwoAndWritesNothing) {
  const fs::path bad = rn50::testing::fixtures_dir() / "experiments" / "bad" / "repeats-zero.yaml";
  Output o = run("run '" + bad.string() + "'", dir_);
  EXPECT_EQ(o.exit_code, 2) << o.text;
  EXPECT_NE(o.text.find(bad.string() + ":9: matrix.repeats: must be >= 1, got 0"),
            std::string::npos)
      << o.text;
  expect_nothing_written();
  Output set =
      run("run '" + (experiments() / "cpu-scaling.yaml").string() + "' --set base.epochz=1", dir_);
  EXPECT_EQ(set.exit_code, 2) << set.text;
  EXPECT_NE(set.text.find("base.epochz: unknown key (did you mean 'epochs'?)"), std::string::npos)
      << set.text;
  expect_nothing_written();
  Output multi =
      run("run '" + (experiments() / "dlperf-rn50-throughput-1n1g-4n8g.yaml").string() + "'", dir_);
  EXPECT_EQ(multi.exit_code, 2) << multi.text;
  EXPECT_NE(multi.text.find("matrix.devices[3]: run 2n8g-fp32-bs128-seed0-r0 needs 2 nodes"),
            std::string::npos)
      << multi.text;
  expect_nothing_written();
}

}  // namespace
