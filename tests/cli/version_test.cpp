// `rn50-exp --version` names the commit the binary was built from (app/version.h is written at
// build time, so a commit followed by `cmake --build` is never reported as the one before it).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "report_cli_util.h"
#include "test_support.h"

namespace rn50 {
namespace {

std::string head_commit() {
  const std::string cmd =
      "git -C " + report_cli::q(RN50_SOURCE_DIR) + " rev-parse --short=12 HEAD 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "";
  char buf[64] = {};
  const bool got = std::fgets(buf, sizeof buf, p) != nullptr;
  ::pclose(p);
  std::string s = got ? buf : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

TEST(Version, NamesTheCommitTheSourcesAreAt) {
  const std::string head = head_commit();
  if (head.empty()) GTEST_SKIP() << RN50_SOURCE_DIR << " is not a git checkout (or git is missing)";
  const auto dir = testing::make_temp_dir("rn50-version");
  const auto r = report_cli::rn50("--version", dir);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("(commit " + head), std::string::npos)
      << "the binary says " << r.out << "but the sources are at " << head
      << ": was it rebuilt after the last commit?";
}

}  // namespace
}  // namespace rn50
