// One duration format for every progress line and summary, and the terminal decision.
#include "core/terminal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>

namespace rn50::core {
namespace {

TEST(Terminal, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "0.0s");
  EXPECT_EQ(format_duration(42.04), "42.0s");
  EXPECT_EQ(format_duration(65.4), "1m05s");
  EXPECT_EQ(format_duration(3723), "1h02m");
  EXPECT_EQ(format_duration(-1), "--");
  EXPECT_EQ(format_duration(std::nan("")), "--");
}

TEST(Terminal, CiAndDumbTerminalsAreNotInteractive) {
  // A pipe is never a terminal.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_FALSE(interactive_terminal(fds[1]));
  ::close(fds[0]);
  ::close(fds[1]);
  ::setenv("NO_COLOR", "1", 1);
  EXPECT_TRUE(no_color());
  ::setenv("NO_COLOR", "", 1);
  EXPECT_FALSE(no_color());
  ::unsetenv("NO_COLOR");
}

}  // namespace
}  // namespace rn50::core
