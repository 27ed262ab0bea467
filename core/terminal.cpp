#include "core/terminal.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rn50::core {

bool interactive_terminal(int fd) {
  const char* term = std::getenv("TERM");
  const char* ci = std::getenv("CI");
  return ::isatty(fd) && !(ci && *ci) && !(term && std::strcmp(term, "dumb") == 0);
}

bool no_color() {
  const char* v = std::getenv("NO_COLOR");
  return v && *v;
}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "--";
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%dh%02dm", int(s / 3600), int(s / 60) % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

}  // namespace rn50::core
