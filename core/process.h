// Running a helper program to its end (dataset preparation, rsvg-convert).
#pragma once

#include <string>
#include <vector>

namespace rn50::core {

// Runs argv[0] (a path; no shell, so arguments may contain anything) with our stdin, stdout and
// stderr, and waits for it to end, through any signal that interrupts the wait (the SIGINT handler
// of `run` has no SA_RESTART). Returns its exit code, or 128 + the number of the signal that ended
// it. Throws core::Error naming the program when it cannot be started.
int run_and_wait(const std::vector<std::string>& argv);

}  // namespace rn50::core
