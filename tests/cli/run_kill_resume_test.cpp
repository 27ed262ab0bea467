// End to end through real worker processes: a 2-rank run whose rank 1 is killed ends within
// 60 s as failed (exit codes recorded, ingested as failed); running the experiment again resumes
// the run from its checkpoint and finishes it; a third invocation skips it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawn_run(const fs::path& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {RN50_BINARY,
                                   "run",
                                   (dir / "exp.yaml").string(),
                                   "--out",
                                   (dir / "runs").string(),
                                   "--db",
                                   (dir / "rn50.db").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const std::string log = (dir / "runner.log").string();
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  EXPECT_EQ(::posix_spawn(&pid, RN50_BINARY, &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The pid of the rank process with RANK=<rank> whose command line names `config`.
pid_t find_rank(const fs::path& config, int rank) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = slurp(e.path() / "cmdline");
    if (cmd.find(config.string()) == std::string::npos || cmd.find("worker") == std::string::npos)
      continue;
    // environ is NUL-separated KEY=VALUE entries.
    const std::string env = std::string(1, '\0') + slurp(e.path() / "environ");
    const std::string want = std::string(1, '\0') + "RANK=" + std::to_string(rank) + '\0';
    if (env.find(want) != std::string::npos) return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

fs::path only_run_dir(const fs::path& dir) {
  fs::path found;
  for (const auto& e : fs::directory_iterator(dir / "runs" / "kill-resume"))
    if (e.is_directory() && e.path().filename() != "report") found = e.path();
  return found;
}

void write_experiment(const fs::path& dir) {
  std::ofstream out(dir / "exp.yaml");
  out << "name: kill-resume\n"
         "role: throughput\n"
         "base:\n"
         "  arch: resnet18\n"
         "  num_classes: 10\n"
         "  data_backend: synthetic\n"
         "  synthetic_train_images: 100000\n"
         "  synthetic_val_images: 64\n"
         "  image_size: 32\n"
         "  workers: 1\n"
         "  threads: 1\n"
         "  epochs: 2\n"
         "  training_step_per_epoch: 40\n"
         "  eval_every: 0\n"
         "  lr_schedule: cosine\n"
         "  print_freq: 5\n"
         "  checkpoint_every_steps: 5\n"
         "matrix:\n"
         "  devices: [2]\n"
         "  batch_per_device: [8]\n"
         "hang_timeout: 120\n";
}

bool process_alive(pid_t pid) {
  // A zombie is dead: it only waits for its (new) parent to reap it.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] != 'Z';
}

TEST(RunKillResume, KilledRankFailsTheRunAndTheRerunResumes) {
  const fs::path dir = rn50::testing::make_temp_dir("rn50-kill-resume");
  write_experiment(dir);
  // --- first invocation: kill rank 1 as soon as a checkpoint exists
  pid_t runner = spawn_run(dir, {"--no-report"});
  fs::path run_dir;
  const auto t0 = Clock::now();
  while (Clock::now() - t0 < std::chrono::seconds(240)) {
    if (fs::exists(dir / "runs" / "kill-resume")) run_dir = only_run_dir(dir);
    if (!run_dir.empty() && fs::exists(run_dir / "checkpoint.pt")) break;
    int status = 0;
    ASSERT_EQ(::waitpid(runner, &status, WNOHANG), 0) << slurp(dir / "runner.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(fs::exists(run_dir / "checkpoint.pt")) << slurp(dir / "runner.log");
  const pid_t victim = find_rank(run_dir / "config.json", 1);
  ASSERT_GT(victim, 0);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  const auto killed_at = Clock::now();
  const int first = wait_exit(runner);
  const double end_s = std::chrono::duration<double>(Clock::now() - killed_at).count();
  EXPECT_EQ(first, 1) << slurp(dir / "runner.log");
  EXPECT_LT(end_s, 60.0);

  json m = json::parse(slurp(run_dir / "manifest.json"));
  EXPECT_EQ(m["status"], "failed");
  ASSERT_EQ(m["attempts"].size(), 1u);
  const json& ranks = m["attempts"][0]["ranks"];
  ASSERT_EQ(ranks.size(), 2u);
  EXPECT_EQ(ranks[1]["signal"], SIGKILL);
  EXPECT_FALSE(ranks[1]["stopped_by_runner"].get<bool>());
  EXPECT_EQ(m["attempts"][0]["reason"], "rank 1: killed by signal 9 (SIGKILL)");
  ASSERT_TRUE(m.contains("ingested"));
  EXPECT_EQ(m["ingested"]["run_ids"].size(), 1u);  // stored as a failed run

  // --- second invocation: resumes from the checkpoint and finishes
  const int second = wait_exit(spawn_run(dir, {"--no-report"}));
  EXPECT_EQ(second, 0) << slurp(dir / "runner.log");
  m = json::parse(slurp(run_dir / "manifest.json"));
  EXPECT_EQ(m["status"], "finished");
  ASSERT_EQ(m["attempts"].size(), 2u);
  EXPECT_TRUE(m["attempts"][1]["resumed_from_checkpoint"].get<bool>());
  EXPECT_EQ(m["attempts"][1]["outcome"], "finished");
  const std::string log = slurp(run_dir / "rn50_log.jsonl");
  EXPECT_NE(log.find("\"type\":\"resume\""), std::string::npos);
  EXPECT_NE(log.find("\"run_stop\""), std::string::npos);
  EXPECT_TRUE(fs::exists(run_dir / "logs" / "rank0.out"));
  EXPECT_TRUE(fs::exists(run_dir / "logs" / "rank1.err"));

  // --- third invocation: nothing left to do
  const int third = wait_exit(spawn_run(dir, {"--no-report"}));
  EXPECT_EQ(third, 0);
  EXPECT_NE(slurp(dir / "runner.log").find("finished earlier, skipped"), std::string::npos);
  m = json::parse(slurp(run_dir / "manifest.json"));
  EXPECT_EQ(m["attempts"].size(), 2u);
  fs::remove_all(dir);
}

// kill -9 of the runner itself: its ranks must not run on as orphans (they get a parent-death
// signal), the manifest says running with a dead supervisor, and the next invocation records the
// attempt as supervisor_died and resumes the run from its checkpoint.
TEST(RunKillResume, KilledRunnerTakesItsRanksAlongAndTheRerunResumes) {
  const fs::path dir = rn50::testing::make_temp_dir("rn50-kill-runner");
  write_experiment(dir);
  pid_t runner = spawn_run(dir, {"--no-report"});
  fs::path run_dir;
  const auto t0 = Clock::now();
  while (Clock::now() - t0 < std::chrono::seconds(240)) {
    if (fs::exists(dir / "runs" / "kill-resume")) run_dir = only_run_dir(dir);
    if (!run_dir.empty() && fs::exists(run_dir / "checkpoint.pt")) break;
    int status = 0;
    ASSERT_EQ(::waitpid(runner, &status, WNOHANG), 0) << slurp(dir / "runner.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(fs::exists(run_dir / "checkpoint.pt")) << slurp(dir / "runner.log");
  json m = json::parse(slurp(run_dir / "manifest.json"));
  ASSERT_EQ(m["status"], "running");
  ASSERT_TRUE(m.contains("supervisor"));
  EXPECT_EQ(m["supervisor"]["pid"], runner);
  std::vector<pid_t> ranks;
  for (const json& r : m["attempts"].back()["ranks"]) ranks.push_back(r["pid"].get<pid_t>());
  ASSERT_EQ(ranks.size(), 2u);
  for (pid_t p : ranks) ASSERT_TRUE(process_alive(p)) << p;

  ASSERT_EQ(::kill(runner, SIGKILL), 0);
  EXPECT_EQ(wait_exit(runner), 128 + SIGKILL);
  const auto killed_at = Clock::now();
  bool gone = false;
  while (!gone && Clock::now() - killed_at < std::chrono::seconds(60)) {
    gone = true;
    for (pid_t p : ranks) gone = gone && !process_alive(p);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(gone) << "ranks still running 60 s after their runner was killed";
  EXPECT_EQ(json::parse(slurp(run_dir / "manifest.json"))["status"], "running");

  const int second = wait_exit(spawn_run(dir, {"--no-report"}));
  EXPECT_EQ(second, 0) << slurp(dir / "runner.log");
  EXPECT_NE(slurp(dir / "runner.log").find("its earlier runner died; resuming"), std::string::npos);
  m = json::parse(slurp(run_dir / "manifest.json"));
  EXPECT_EQ(m["status"], "finished");
  ASSERT_EQ(m["attempts"].size(), 2u);
  EXPECT_EQ(m["attempts"][0]["outcome"], "supervisor_died");
  EXPECT_TRUE(m["attempts"][1]["resumed_from_checkpoint"].get<bool>());
  EXPECT_EQ(m["attempts"][1]["outcome"], "finished");
  EXPECT_FALSE(m.contains("supervisor"));
  fs::remove_all(dir);
}

}  // namespace
