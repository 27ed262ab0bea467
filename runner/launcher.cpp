#include "runner/launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "core/error.h"
#include "core/process.h"

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
    if (core::wait_for(c.pid, status, WNOHANG) == c.pid) {
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
    if (core::wait_for(c.pid, status) == c.pid) reap(c, status);  // through our SIGINT handler
  }
}

// Stops every rank still running when the supervisor leaves by an exception: the ranks live in
// their own process groups, where a Ctrl-C of the user no longer reaches them.
class RankGroupGuard {
 public:
  explicit RankGroupGuard(std::vector<Child>& children) : children_(children) {}
  ~RankGroupGuard() {
    if (armed_) stop_all(children_, 0);
  }
  void release() { armed_ = false; }

 private:
  std::vector<Child>& children_;
  bool armed_ = true;
};

// Starts one rank: its own process group, SIGTERM when the supervisor dies, stdin from
// /dev/null, stdout/stderr appended to files. Between fork and exec the child runs only
// async-signal-safe calls (the supervisor has threads). Returns the pid; throws core::Error when
// the executable cannot be started (the child reports exec's errno through a pipe).
pid_t start_rank(const std::string& executable, const std::vector<std::string>& args,
                 const std::vector<std::string>& env, const std::filesystem::path& out_path,
                 const std::filesystem::path& err_path, const std::filesystem::path& cwd) {
  std::vector<std::string> argv_s = {executable};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int report[2] = {-1, -1};
  auto close_all = [&] {
    for (int fd : {in_fd, out_fd, err_fd, report[0], report[1]})
      if (fd >= 0) ::close(fd);
  };
  if (in_fd < 0 || out_fd < 0 || err_fd < 0 || ::pipe2(report, O_CLOEXEC) != 0) {
    const int err = errno;
    close_all();
    throw core::Error("cannot start " + executable + ": " + std::strerror(err));
  }
  const pid_t parent = ::getpid();
  const char* dir = cwd.empty() ? nullptr : cwd.c_str();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    close_all();
    throw core::Error("cannot start " + executable + ": fork: " + std::strerror(err));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the supervisor died before prctl took effect
    ::dup2(in_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    int err = 0;
    if (dir && ::chdir(dir) != 0) err = errno;
    if (!err) {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      ::sigaction(SIGINT, &dfl, nullptr);
      ::sigaction(SIGTERM, &dfl, nullptr);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execve(executable.c_str(), argv.data(), envp.data());
      err = errno;
    }
    ssize_t ignored = ::write(report[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from this side: no window where a signal to -pid misses it
  ::close(report[1]);
  report[1] = -1;
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close_all();
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    core::wait_for(pid, status);
    throw core::Error("cannot start " + executable + ": " + std::strerror(child_errno));
  }
  return pid;
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

LaunchResult launch_and_supervise(
    const LaunchSpec& spec, const std::function<void(const std::vector<RankExit>&)>& on_started) {
  std::filesystem::create_directories(spec.log_dir);
  std::vector<Child> children;
  RankGroupGuard guard(children);
  std::vector<std::filesystem::path> watched = spec.progress_files;
  const auto t0 = Clock::now();
  LaunchResult result;
  bool ended = false;

  for (int64_t local = 0; local < spec.local_world_size; ++local) {
    Child c;
    c.rank = spec.node_rank * spec.local_world_size + local;
    c.exit.rank = c.rank;
    const auto out_path = spec.log_dir / ("rank" + std::to_string(c.rank) + ".out");
    const auto err_path = spec.log_dir / ("rank" + std::to_string(c.rank) + ".err");
    watched.push_back(out_path);
    watched.push_back(err_path);
    c.pid = start_rank(spec.executable, spec.args, rank_environment(spec, local), out_path,
                       err_path, spec.cwd);
    c.exit.pid = c.pid;
    c.running = true;
    children.push_back(std::move(c));
  }
  if (on_started) {
    std::vector<RankExit> started;
    for (const Child& c : children) started.push_back(c.exit);
    on_started(started);
  }

  auto last_seen = observe(watched);
  auto last_progress = Clock::now();
  auto last_tick = Clock::now();
  while (any_running(children)) {
    poll_children(children);
    // A rank that died (non-zero exit or signal) ends the run for everyone.
    for (const Child& c : children) {
      if (c.running || (c.exit.exit_code == 0 && c.exit.signal == 0)) continue;
      result.outcome = Outcome::kFailed;
      result.reason = c.exit.describe();
      ended = true;
      break;
    }
    if (!ended && spec.interrupt && spec.interrupt->load()) {
      result.outcome = Outcome::kInterrupted;
      result.reason = "interrupted (Ctrl-C)";
      ended = true;
    }
    if (!ended && spec.timeout_s > 0 && since(t0) > spec.timeout_s) {
      result.outcome = Outcome::kTimeout;
      result.reason = "run timeout of " + std::to_string(int64_t(spec.timeout_s)) + " s reached";
      ended = true;
    }
    if (!ended && spec.hang_timeout_s > 0) {
      const auto now_seen = observe(watched);
      if (now_seen != last_seen) {
        last_seen = now_seen;
        last_progress = Clock::now();
      } else if (since(last_progress) > spec.hang_timeout_s) {
        result.outcome = Outcome::kHang;
        result.reason = "no output from any rank for " +
                        std::to_string(int64_t(spec.hang_timeout_s)) + " s (hang timeout)";
        ended = true;
      }
    }
    if (ended) {
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
  guard.release();
  if (!ended) {
    result.outcome = Outcome::kFinished;
    for (const Child& c : children)
      if (c.exit.exit_code != 0 || c.exit.signal != 0) {
        result.outcome = Outcome::kFailed;
        result.reason = c.exit.describe();
        break;
      }
  }
  for (const Child& c : children) result.ranks.push_back(c.exit);
  result.seconds = since(t0);
  return result;
}

}  // namespace rn50::runner
