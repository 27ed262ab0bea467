// Starting the rank processes of one run and supervising them: torchrun's environment per rank,
// stdout/stderr of each rank into its own file, a run timeout, a hang timeout (no output from
// any rank and no growth of the progress files for N seconds), and all-or-nothing ends: when a
// rank dies the others are stopped (SIGTERM, then SIGKILL after a grace period).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "runner/outcome.h"

namespace rn50::runner {

struct LaunchSpec {
  std::string executable;         // usually /proc/self/exe
  std::vector<std::string> args;  // after argv[0], e.g. {"worker", "config.json"}
  std::filesystem::path log_dir;  // gets rank<R>.out and rank<R>.err (appended)
  std::filesystem::path cwd;      // working directory of the ranks (empty = inherit)
  int64_t nnodes = 1, node_rank = 0, local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::vector<std::pair<std::string, std::string>> extra_env;
  double timeout_s = 0;                               // whole run; 0 = none
  double hang_timeout_s = 0;                          // 0 = none
  double grace_s = 10;                                // between SIGTERM and SIGKILL
  std::vector<std::filesystem::path> progress_files;  // growth counts as progress
  std::function<void()> on_tick;                      // ~5 times a second, for progress display
  const std::atomic<bool>* interrupt = nullptr;       // set (by a SIGINT handler) to stop
};

struct RankExit {
  int64_t rank = 0;                // global rank
  int64_t pid = 0;                 // the process
  int exit_code = -1;              // when exited normally
  int signal = 0;                  // when killed by a signal
  bool stopped_by_runner = false;  // we sent it SIGTERM/SIGKILL after another rank failed
  std::string describe() const;    // "rank 1: exit 0", "rank 0: killed by signal 9 (SIGKILL)"
};

struct LaunchResult {
  Outcome outcome = Outcome::kFinished;
  std::string reason;  // one line, for the terminal and the manifest
  std::vector<RankExit> ranks;
  double seconds = 0;
};

// Blocks until the run ends. Throws core::Error when a process cannot be started. Ranks never
// outlive the supervisor: each gets a parent-death signal (SIGTERM, so it can still checkpoint)
// and checks that its parent is alive before it runs, and every rank still running is stopped
// when this function leaves by an exception. `on_started` (optional) sees the ranks' pids.
LaunchResult launch_and_supervise(
    const LaunchSpec& spec,
    const std::function<void(const std::vector<RankExit>&)>& on_started = {});

// A TCP port that was free on 127.0.0.1 a moment ago (bind to port 0).
int find_free_port();

// Installs a SIGINT/SIGTERM handler that sets the returned flag (no SA_RESTART); a second
// Ctrl-C while the flag is set restores the default action, so a third one kills us.
const std::atomic<bool>* install_interrupt_handler();

}  // namespace rn50::runner
