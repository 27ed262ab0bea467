// rn50-exp links no LibTorch and hands train/dataset/worker to rn50-exp-torch.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "report_cli_util.h"
#include "test_support.h"

namespace rn50 {
namespace {

using report_cli::q;
using report_cli::rn50;

TEST(TorchForward, MissingTorchBinaryIsAClearUsageError) {
  const auto dir = testing::make_temp_dir("rn50-torch-forward-missing");
  const std::string cmd_env = "RN50_EXP_TORCH=" + q((dir / "no-such-binary").string());
  const auto err_file = dir / ".stderr2";
  const std::string cmd = "cd " + q(dir.string()) + " && " + cmd_env + " " + q(RN50_BINARY) +
                          " train config.yaml 2>" + q(err_file.string());
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  const std::string err = report_cli::slurp(err_file);
  EXPECT_NE(err.find("`train` needs the LibTorch binary"), std::string::npos) << err;
  EXPECT_NE(err.find("no-such-binary"), std::string::npos) << err;
}

TEST(TorchForward, HelpListsTheTorchCommands) {
  const auto dir = testing::make_temp_dir("rn50-torch-forward-help");
  auto r = rn50("--help", dir);
  EXPECT_EQ(r.exit_code, 0);
  for (const char* c : {"train", "dataset", "worker", "ingest", "report"})
    EXPECT_NE(r.out.find(std::string("\n  ") + c + " "), std::string::npos) << c << "\n" << r.out;
}

#ifdef RN50_HAS_TORCH_BINARY
TEST(TorchForward, TrainRunsInTheTorchBinaryWithTheSameArguments) {
  const auto dir = testing::make_temp_dir("rn50-torch-forward-train");
  auto r = rn50("train --help", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Train a ResNet from a config file"), std::string::npos) << r.out;
  // A bad config is reported by the torch binary with the file name, exit 2 as for any usage error.
  r = rn50("train " + q((dir / "absent.yaml").string()), dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("absent.yaml"), std::string::npos) << r.err;
}
#endif

}  // namespace
}  // namespace rn50
