// The progress line: content and the terminal/plain decision.
#include "trainer/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

namespace rn50::trainer {
namespace {

TEST(Progress, RendersEpochStepRateAndEta) {
  ProgressInfo p{"train", 1, 6, 50, 100, 143.25, 0.61234, 0.1, 30, 90};
  std::string s = ProgressDisplay::render(p, 120);
  EXPECT_EQ(s.rfind("epoch 2/6 [", 0), 0u) << s;
  EXPECT_NE(s.find("50/100 loss 0.6123 lr 0.1 143.2 img/s ETA 1m30s"), std::string::npos) << s;
  // Narrow terminals drop the bar, not the numbers.
  EXPECT_EQ(ProgressDisplay::render(p, 40).find('['), std::string::npos);
}

TEST(Progress, PlainWhenNotATerminalOrInCi) {
  // Under ctest stderr is not a terminal; CI or TERM=dumb force plain even on one.
  if (!isatty(2)) {
    EXPECT_EQ(ProgressDisplay::detect_mode(), ProgressDisplay::Mode::kPlain);
  }
  setenv("CI", "1", 1);
  EXPECT_EQ(ProgressDisplay::detect_mode(), ProgressDisplay::Mode::kPlain);
  unsetenv("CI");
}

}  // namespace
}  // namespace rn50::trainer
