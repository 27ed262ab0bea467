// Host lists expanded as `scontrol show hostnames` prints them (SLURM's hostlist semantics, one
// host per line in its output; the expected lists below are that output, joined by spaces).
#include "core/slurm_hostlist.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace rn50::core {
namespace {

std::string expand(const std::string& list) {
  std::string out;
  for (const auto& h : expand_hostlist(list)) out += (out.empty() ? "" : " ") + h;
  return out;
}

TEST(SlurmHostlist, ExpandsLikeScontrolShowHostnames) {
  EXPECT_EQ(expand("gpu07"), "gpu07");
  EXPECT_EQ(expand("a1,b2"), "a1 b2");
  EXPECT_EQ(expand("node[01-04,07]"), "node01 node02 node03 node04 node07");
  EXPECT_EQ(expand("dgx[010-013]"), "dgx010 dgx011 dgx012 dgx013");
  EXPECT_EQ(expand("n[9-11]"), "n9 n10 n11");    // no padding without a leading zero
  EXPECT_EQ(expand("n[08-10]"), "n08 n09 n10");  // padding to the width as written
  EXPECT_EQ(expand("gpu[003-005,9],x[1-2]"), "gpu003 gpu004 gpu005 gpu9 x1 x2");
  EXPECT_EQ(expand("r[2,4]-ib"), "r2-ib r4-ib");
  // Several groups in one entry: every combination, the leftmost group varying slowest.
  EXPECT_EQ(expand("rack[2-3]-n[1-4]"),
            "rack2-n1 rack2-n2 rack2-n3 rack2-n4 rack3-n1 rack3-n2 rack3-n3 rack3-n4");
  EXPECT_EQ(expand("rack[2-3]-n[1-2],login1"), "rack2-n1 rack2-n2 rack3-n1 rack3-n2 login1");
}

TEST(SlurmHostlist, FirstHostAndLimits) {
  EXPECT_EQ(first_host("rack[2-3]-n[1-4]"), "rack2-n1");
  EXPECT_EQ(first_host("node[3,5-6],gpu[1-2]"), "node3");
  // A list naming a billion hosts costs nothing when only the first is asked for.
  EXPECT_EQ(first_host("n[0000000001-1000000000]"), "n0000000001");
  EXPECT_EQ(expand_hostlist("n[1-1000000]", 3).size(), 3u);
}

TEST(SlurmHostlist, MalformedListsNameTheProblem) {
  for (const char* bad : {"gpu[1-2", "gpu[]", "gpu[3-1]", "gpu[a-b]", "gpu1-2]", "gpu[1,,2]"}) {
    try {
      expand_hostlist(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace rn50::core
