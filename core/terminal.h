// How progress is shown: redrawn in place on an interactive terminal, plain lines otherwise.
#pragma once

#include <string>

namespace rn50::core {

// True when `fd` is a terminal a person watches: a tty, not a CI job (CI set), not TERM=dumb.
bool interactive_terminal(int fd);

// NO_COLOR (https://no-color.org) is set to anything but the empty string.
bool no_color();

// A duration for progress lines and summaries: "42.0s", "5m02s", "1h02m" ("--" when unknown).
std::string format_duration(double seconds);

}  // namespace rn50::core
