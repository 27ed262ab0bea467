// run_and_wait with real programs: exit codes, signals, arguments passed without a shell, a
// program that cannot start, and a wait that signals interrupt again and again.
#include "core/process.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "test_support.h"

namespace rn50::core {
namespace {

namespace fs = std::filesystem;

TEST(Process, ExitCodesAndSignalsAreReported) {
  EXPECT_EQ(run_and_wait({"/bin/sh", "-c", "exit 0"}), 0);
  EXPECT_EQ(run_and_wait({"/bin/sh", "-c", "exit 7"}), 7);
  EXPECT_EQ(run_and_wait({"/bin/sh", "-c", "kill -9 $$"}), 128 + 9);
}

TEST(Process, ArgumentsReachTheProgramUnchangedWithoutAShell) {
  const fs::path dir = testing::make_temp_dir("rn50-process");
  const fs::path out = dir / "out";
  const std::string arg = "a b; $(touch x) 'q' \"d\" *";
  EXPECT_EQ(run_and_wait({"/bin/sh", "-c", "printf %s \"$1\" > \"$2\"", "sh", arg, out.string()}),
            0);
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), arg);
  EXPECT_FALSE(fs::exists(dir / "x"));
  fs::remove_all(dir);
}

TEST(Process, AProgramThatCannotStartIsAnErrorNamingIt) {
  try {
    run_and_wait({"/nonexistent/rn50-helper", "x"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot start /nonexistent/rn50-helper"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(run_and_wait({}), Error);
}

// Without the retry on EINTR the first alarm ended the wait: the exit code was read from an
// unset status (0, "success") and the program was left a zombie.
TEST(Process, TheWaitOutlastsSignalsThatInterruptIt) {
  testing::AlarmStorm::alarms = 0;
  int rc = -1;
  {
    testing::AlarmStorm storm(200);
    rc = run_and_wait({"/bin/sh", "-c", "sleep 0.3; exit 5"});
  }
  EXPECT_EQ(rc, 5);
  EXPECT_GT(testing::AlarmStorm::alarms, 100);
}

}  // namespace
}  // namespace rn50::core
