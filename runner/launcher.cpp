#include "runner/launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "core/error.h"

extern char** environ;

namespace rn50::runner {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The environment of a rank: ours, minus the variables we set, plus torchrun's contract.
std::vector<std::string> rank_environment(const LaunchSpec& spec, int64_t local_rank) {
  std::map<std::string, std::string> set = {
      {"RANK", std::to_string(spec.node_rank * spec.local_world_size + local_rank)},
      {"LOCAL_RANK", std::to_string(local_rank)},
      {"WORLD_SIZE", std::to_string(spec.nnodes * spec.local_world_size)},
      {"LOCAL_WORLD_SIZE", std::to_string(spec.local_world_size)},
      {"GROUP_RANK", std::to_string(spec.node_rank)},
      {"NODE_RANK", std::to_string(spec.node_rank)},
      {"MASTER_ADDR", spec.master_addr},
      {"MASTER_PORT", std::to_string(spec.master_port)},
  };
  for (const auto& [k, v] : spec.extra_env) set[k] = v;
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const std::string key = kv.substr(0, kv.find('='));
    // SLURM's per-task variables would contradict ours inside the worker's fallbacks.
    if (set.count(key) || key == "SLURM_PROCID" || key == "SLURM_LOCALID") continue;
    out.push_back(kv);
  }
  for (const auto& [k, v] : set) out.push_back(k + "=" + v);
  return out;
}

struct Child {
  pid_t pid = -1;
  int64_t rank = 0;
  bool running = false;
  RankExit exit;
};

// Sum of sizes and latest mtime of the watched files: any change is progress.
std::pair<uintmax_t, int64_t> observe(const std::vector<std::filesystem::path>& files) {
  uintmax_t size = 0;
  int64_t mtime = 0;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0) continue;
    size += static_cast<uintmax_t>(st.st_size);
    mtime = std::max<int64_t>(mtime, st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
  }
  return {size, mtime};
}

void reap(Child& c, int status) {
  c.running = false;
  if (WIFEXITED(status)) {
    c.exit.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    c.exit.signal = WTERMSIG(status);
  }
}

// Polls every child once; returns true when any state changed.
bool poll_children(std::vector<Child>& children) {
  bool changed = false;
  for (Child& c : children) {
    if (!c.running) continue;
    int status = 0;
    const pid_t r = ::waitpid(c.pid, &status, WNOHANG);
    if (r == c.pid) {
      reap(c, status);
      changed = true;
    }
  }
  return changed;
}

bool any_running(const std::vector<Child>& children) {
  for (const Child& c : children)
    if (c.running) return true;
  return false;
}

// SIGTERM to every running rank (its whole process group), SIGKILL after the grace period.
void stop_all(std::vector<Child>& children, double grace_s) {
  for (Child& c : children) {
    if (!c.running) continue;
    c.exit.stopped_by_runner = true;
    ::kill(-c.pid, SIGTERM);
  }
  const auto t0 = Clock::now();
  while (any_running(children) && since(t0) < grace_s) {
    poll_children(children);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (Child& c : children) {
    if (!c.running) continue;
    ::kill(-c.pid, SIGKILL);
    int status = 0;
    if (::waitpid(c.pid, &status, 0) == c.pid) reap(c, status);
  }
}

std::atomic<bool> g_interrupted{false};

void on_interrupt(int sig) {
  if (g_interrupted.load()) {
    // Second request while stopping: let the next one act immediately.
    ::signal(sig, SIG_DFL);
  }
  g_interrupted.store(true);
}

}  // namespace

std::string RankExit::describe() const {
  std::string out = "rank " + std::to_string(rank) + ": ";
  if (signal) {
    const char* name = ::sigabbrev_np(signal);
    out += "killed by signal " + std::to_string(signal) +
           (name ? std::string(" (SIG") + name + ")" : "");
  } else {
    out += "exit " + std::to_string(exit_code);
  }
  if (stopped_by_runner) out += " (stopped by the runner)";
  return out;
}

int find_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw core::Error("socket(): " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw core::Error("cannot find a free TCP port: " + std::string(std::strerror(errno)));
  }
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

const std::atomic<bool>* install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: sleeps and waits return early
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  return &g_interrupted;
}

LaunchResult launch_and_supervise(const LaunchSpec& spec) {
  std::filesystem::create_directories(spec.log_dir);
  std::vector<Child> children;
  std::vector<std::filesystem::path> watched = spec.progress_files;
  const auto t0 = Clock::now();
  LaunchResult result;

  for (int64_t local = 0; local < spec.local_world_size; ++local) {
    Child c;
    c.rank = spec.node_rank * spec.local_world_size + local;
    c.exit.rank = c.rank;
    const auto out_path = spec.log_dir / ("rank" + std::to_string(c.rank) + ".out");
    const auto err_path = spec.log_dir / ("rank" + std::to_string(c.rank) + ".err");
    watched.push_back(out_path);
    watched.push_back(err_path);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, spec.cwd.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Own process group: Ctrl-C reaches only the runner, which then stops the ranks itself
    // (checkpoint-friendly SIGTERM first) instead of every rank dying at a random point.
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> argv_s = {spec.executable};
    argv_s.insert(argv_s.end(), spec.args.begin(), spec.args.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s = rank_environment(spec, local);
    std::vector<char*> envp;
    for (auto& s : env_s) envp.push_back(s.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int rc =
        ::posix_spawn(&pid, spec.executable.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      stop_all(children, 0);
      throw core::Error("cannot start " + spec.executable + ": " + std::strerror(rc));
    }
    c.pid = pid;
    c.running = true;
    children.push_back(std::move(c));
  }

  auto last_seen = observe(watched);
  auto last_progress = Clock::now();
  auto last_tick = Clock::now();
  while (any_running(children)) {
    poll_children(children);
    // A rank that died (non-zero exit or signal) ends the run for everyone.
    for (const Child& c : children) {
      if (c.running || (c.exit.exit_code == 0 && c.exit.signal == 0)) continue;
      result.outcome = "failed";
      result.reason = c.exit.describe();
      break;
    }
    if (result.outcome.empty() && spec.interrupt && spec.interrupt->load()) {
      result.outcome = "interrupted";
      result.reason = "interrupted (Ctrl-C)";
    }
    if (result.outcome.empty() && spec.timeout_s > 0 && since(t0) > spec.timeout_s) {
      result.outcome = "timeout";
      result.reason = "run timeout of " + std::to_string(int64_t(spec.timeout_s)) + " s reached";
    }
    if (result.outcome.empty() && spec.hang_timeout_s > 0) {
      const auto now_seen = observe(watched);
      if (now_seen != last_seen) {
        last_seen = now_seen;
        last_progress = Clock::now();
      } else if (since(last_progress) > spec.hang_timeout_s) {
        result.outcome = "hang";
        result.reason = "no output from any rank for " +
                        std::to_string(int64_t(spec.hang_timeout_s)) + " s (hang timeout)";
      }
    }
    if (!result.outcome.empty()) {
      stop_all(children, spec.grace_s);
      break;
    }
    if (spec.on_tick && since(last_tick) >= 0.2) {
      spec.on_tick();
      last_tick = Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (spec.on_tick) spec.on_tick();
  if (result.outcome.empty()) {
    result.outcome = "finished";
    for (const Child& c : children)
      if (c.exit.exit_code != 0 || c.exit.signal != 0) {
        result.outcome = "failed";
        result.reason = c.exit.describe();
        break;
      }
  }
  for (const Child& c : children) result.ranks.push_back(c.exit);
  result.seconds = since(t0);
  return result;
}

}  // namespace rn50::runner
