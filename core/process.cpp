#include "core/process.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

extern char** environ;

namespace rn50::core {

pid_t wait_for(pid_t pid, int& status, int options) {
  pid_t r;
  do {
    r = ::waitpid(pid, &status, options);
  } while (r < 0 && errno == EINTR);
  return r;
}

int run_and_wait(const std::vector<std::string>& argv) {
  if (argv.empty()) throw Error("run_and_wait: no program given");
  std::vector<std::string> copy = argv;  // posix_spawn takes char*, not const char*
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (rc != 0) throw Error("cannot start " + argv[0] + ": " + std::strerror(rc));
  int status = 0;
  if (wait_for(pid, status) != pid)
    throw Error("cannot wait for " + argv[0] + ": " + std::strerror(errno));
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace rn50::core
