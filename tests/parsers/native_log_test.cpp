// The rn50-native parser on hand-written logs (the live round trip from a real training run is
// in tests/trainer/train_loop_test.cpp; tiny_run.* here is such a run, kept as a fixture).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parsers/parser.h"
#include "parsers/registry.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

std::string read(const std::string& name) {
  std::ifstream in(rn50::testing::fixtures_dir() / "native" / name);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(NativeLog, SniffedOnlyForItsOwnHeader) {
  auto p = make_native_log_parser();
  EXPECT_EQ(p->sniff(read("interrupted.jsonl")), 100);
  EXPECT_EQ(p->sniff("{\"type\":\"header\",\"schema\":\"other\"}\n"), 0);
  EXPECT_EQ(p->sniff("DLL 2021-03-23 09:24:42.127408 - PARAMETER data : /imagenet\n"), 0);
  EXPECT_EQ(sniff_format(read("interrupted.jsonl"))->name(), "rn50-native");
}

TEST(NativeLog, InterruptedRunIsIncompleteWithSteadyThroughputFromSums) {
  auto parsed = make_native_log_parser()->parse(read("interrupted.jsonl"), core::DeriveOptions{});
  ASSERT_EQ(parsed.runs.size(), 1u);
  const auto& run = parsed.runs[0];
  ASSERT_EQ(parsed.diagnostics.size(), 1u);
  EXPECT_EQ(parsed.diagnostics[0].line, 11);
  EXPECT_NE(parsed.diagnostics[0].message.find("cut off"), std::string::npos);
  EXPECT_EQ(run.status, core::RunStatus::kIncomplete);
  EXPECT_EQ(run.name, "cut-short");
  EXPECT_EQ(*run.world_size.value, 2);
  EXPECT_EQ(*run.global_batch.value, 64);
  EXPECT_EQ(*run.precision.value, "amp");
  EXPECT_EQ(*run.start_time, 1700000001.0);
  // Steady intervals only (steps 3..6): 256 images / 4 s; compute 256 / 3.5 s.
  EXPECT_DOUBLE_EQ(*run.derived.total_ips, 64.0);
  EXPECT_DOUBLE_EQ(*run.derived.compute_ips, 256.0 / 3.5);
  // top-1 from the counts, not the rounded metric.
  ASSERT_EQ(run.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(*run.epochs[0].top1, 73.1);
  EXPECT_DOUBLE_EQ(*run.epochs[0].train_loss, 1.875);
  EXPECT_EQ(*run.epochs_completed, 1);
  ASSERT_NE(run.find_param("batch_size"), nullptr);
  EXPECT_EQ(run.find_param("batch_size")->value, "32");
  EXPECT_EQ(run.find_param("arch")->value, "resnet50");
}

TEST(NativeLog, NodesComeFromTheRecordedLaunchEnvironment) {
  const std::string log = read("interrupted.jsonl");  // world size 2, empty environment
  auto parse_with = [&](const std::string& from, const std::string& to) {
    std::string text = log;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    return make_native_log_parser()->parse(text, core::DeriveOptions{}).runs.at(0);
  };
  EXPECT_FALSE(parse_with("\"world_size\":2", "\"world_size\":2").nodes.value);  // cannot tell
  auto one = parse_with("\"world_size\":2", "\"world_size\":1");
  ASSERT_TRUE(one.nodes.value);
  EXPECT_EQ(*one.nodes.value, 1);
  const std::string env =
      R"("environment":{"distributed":{"env":{"local_world_size":8,"world_size":32}}})";
  auto four = parse_with("\"environment\":{},\"world_size\":2", env + ",\"world_size\":32");
  ASSERT_TRUE(four.nodes.value);
  EXPECT_EQ(*four.nodes.value, 4);
  EXPECT_EQ(four.nodes.source, core::Source::kInferred);
  EXPECT_NE(four.nodes.detail.find("LOCAL_WORLD_SIZE 8"), std::string::npos);
  // 12 ranks with 8 per node is not a whole number of nodes: left unknown.
  auto odd = parse_with("\"environment\":{},\"world_size\":2", env + ",\"world_size\":12");
  EXPECT_FALSE(odd.nodes.value);
}

TEST(NativeLog, ExplicitSkipStepsReselectsIntervals) {
  core::DeriveOptions opt;
  opt.skip_steps = 0;  // every interval
  auto parsed = make_native_log_parser()->parse(read("interrupted.jsonl"), opt);
  EXPECT_DOUBLE_EQ(*parsed.runs[0].derived.total_ips, 384.0 / 8.0);
}

TEST(NativeLog, NewerVersionIsRefused) {
  auto parsed = make_native_log_parser()->parse(read("future_version.jsonl"), {});
  EXPECT_TRUE(parsed.runs.empty());
  ASSERT_FALSE(parsed.diagnostics.empty());
  EXPECT_EQ(parsed.diagnostics[0].severity, core::Severity::kError);
  EXPECT_NE(parsed.diagnostics[0].message.find("version 2 is not supported"), std::string::npos);
}

TEST(NativeLog, EveryPrefixParsesWithoutThrowing) {
  const std::string content = read("interrupted.jsonl");
  auto p = make_native_log_parser();
  for (size_t n = 0; n <= content.size(); n += 7)
    EXPECT_NO_THROW(p->parse(std::string_view(content).substr(0, n), {})) << n;
}

}  // namespace
}  // namespace rn50::parsers
