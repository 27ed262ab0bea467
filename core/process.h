// Running a helper program to its end (dataset preparation, rsvg-convert), and waiting for a
// child through signals.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace rn50::core {

// Runs argv[0] (a path; no shell, so arguments may contain anything) with our stdin, stdout and
// stderr, and waits for it to end, through any signal that interrupts the wait (the SIGINT handler
// of `run` has no SA_RESTART). Returns its exit code, or 128 + the number of the signal that ended
// it. Throws core::Error naming the program when it cannot be started.
int run_and_wait(const std::vector<std::string>& argv);

// waitpid(pid, &status, options), retried while a signal interrupts it; returns what waitpid
// returned last (the pid, 0 under WNOHANG while it runs, or -1 with errno set).
pid_t wait_for(pid_t pid, int& status, int options = 0);

}  // namespace rn50::core
