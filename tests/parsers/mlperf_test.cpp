// MLPerf result files: per-run minutes of three real submissions, statuses, epochs, throughput,
// the system json sidecar, and the traps (prefixes, duplicates, latin-1, bad JSON).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/error.h"
#include "core/file_util.h"
#include "parser_test_util.h"
#include "parsers/json_scan.h"
#include "parsers/mlperf_system.h"
#include "parsers/parser.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::RunStatus;
using core::Source;
using testing::has_diagnostic_at;

constexpr testing::FormatUnderTest kMlperf(make_mlperf_parser, "mlperf", "mlperf");

// Minutes to 4 decimals, half up, from whole milliseconds (4.30165 must give 4.3017, which
// binary floating point rounding does not guarantee).
double minutes4(const core::RunRecord& r) {
  const long long ms = std::llround(*r.derived.wall_time_s * 1000.0);
  return static_cast<double>((ms + 3) / 6) / 1e4;
}

TEST(Mlperf, NvidiaDgxA100PerRunMinutes) {
  RN50_REQUIRE_CORPUS();
  const double expected[] = {28.7424, 30.3474, 28.8286, 28.5121, 28.7416};
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    auto f = kMlperf.parse_corpus("v1.0-nvidia-dgxa100/result_" + std::to_string(i) + ".txt");
    ASSERT_EQ(f.runs.size(), 1u);
    const auto& r = f.runs[0];
    ASSERT_TRUE(r.derived.wall_time_s.has_value());
    EXPECT_DOUBLE_EQ(minutes4(r), expected[i]);
    EXPECT_EQ(*r.global_batch.value, 3264);
    EXPECT_EQ(r.global_batch.source, Source::kLog);
    EXPECT_EQ(*r.nodes.value, 1);  // "1xNVIDIA DGX A100"
    EXPECT_EQ(r.nodes.source, Source::kInferred);
    EXPECT_FALSE(r.world_size.known());
    EXPECT_FALSE(r.precision.known());
    EXPECT_EQ(r.find_param("opt_name")->value, "lars");
    EXPECT_EQ(r.find_param("submission_org")->value, "NVIDIA");
    // 8 ranks log init_start; all records are kept as events.
    EXPECT_EQ(std::count_if(r.events.begin(), r.events.end(),
                            [](const core::Event& e) { return e.key == "init_start"; }),
              8);
    ASSERT_TRUE(r.derived.total_ips.has_value());
    EXPECT_GT(*r.derived.total_ips, 20000);
    EXPECT_LT(*r.derived.total_ips, 30000);
    EXPECT_NE(r.derived.total_ips_definition.find("epoch_start..epoch_stop"), std::string::npos);
    if (i == 1) {
      EXPECT_EQ(r.status, RunStatus::kAborted);
      EXPECT_DOUBLE_EQ(*r.derived.last_top1, 75.84);
      EXPECT_FALSE(r.derived.time_to_target_s.has_value());
    } else {
      EXPECT_EQ(r.status, RunStatus::kFinished);
      ASSERT_TRUE(r.derived.time_to_target_s.has_value());
      EXPECT_GE(*r.derived.last_top1, 75.9);
      // The run stops right after the evaluation that reaches the target.
      EXPECT_NEAR(*r.derived.time_to_target_s, *r.derived.wall_time_s, 1.0);
    }
  }
}

TEST(Mlperf, NvidiaEpochRecordsCarryEvalAndThroughput) {
  RN50_REQUIRE_CORPUS();
  auto f = kMlperf.parse_corpus("v1.0-nvidia-dgxa100/result_0.txt");
  const auto& r = f.runs[0];
  // Epochs 1..35 each have a throughput; evaluations at 3, 7, 11, ...
  ASSERT_EQ(r.epochs.size(), 35u);
  EXPECT_EQ(r.epochs.front().epoch, 1);
  EXPECT_NEAR(*r.epochs.front().total_ips, 15982.398913364215, 1e-6);
  EXPECT_FALSE(r.epochs.front().top1.has_value());
  EXPECT_DOUBLE_EQ(*r.epochs[2].top1, 32.424);
  EXPECT_EQ(r.epochs_completed, 35);
  EXPECT_EQ(std::count_if(r.metrics.begin(), r.metrics.end(),
                          [](const auto& m) { return m.key == "train.total_ips"; }),
            35);
  EXPECT_EQ(std::count_if(r.metrics.begin(), r.metrics.end(),
                          [](const auto& m) { return m.key == "val.top1" && m.level == "eval"; }),
            9);
}

TEST(Mlperf, GoogleTpuPerRunMinutes) {
  RN50_REQUIRE_CORPUS();
  const double expected[] = {4.3017, 4.3006, 4.3017, 4.3011, 4.3001};
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    auto f = kMlperf.parse_corpus("v1.0-google-tpuv4-128/result_" + std::to_string(i) + ".txt");
    ASSERT_EQ(f.runs.size(), 1u);
    const auto& r = f.runs[0];
    EXPECT_DOUBLE_EQ(minutes4(r), expected[i]);
    EXPECT_EQ(r.status, RunStatus::kFinished);
    EXPECT_TRUE(r.derived.time_to_target_s.has_value());
    EXPECT_EQ(*r.global_batch.value, 8192);
    EXPECT_FALSE(r.nodes.known());                  // "tpu-v4-128" has no Nx prefix
    EXPECT_FALSE(r.derived.total_ips.has_value());  // no epoch intervals, no throughput
    // time_ms 0 on submission lines: events without a time, not 1970.
    auto sub = std::find_if(r.events.begin(), r.events.end(),
                            [](const auto& e) { return e.key == "submission_benchmark"; });
    ASSERT_NE(sub, r.events.end());
    EXPECT_FALSE(sub->time.has_value());
  }
}

TEST(Mlperf, V06LegacyFormat) {
  RN50_REQUIRE_CORPUS();
  auto f = kMlperf.parse_corpus("v0.6-nvidia-dgx1/result_0.txt");
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  EXPECT_DOUBLE_EQ(minutes4(r), 115.3370);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  ASSERT_FALSE(r.epochs.empty());
  const auto& last_eval = *std::find_if(r.epochs.rbegin(), r.epochs.rend(),
                                        [](const auto& e) { return e.top1.has_value(); });
  EXPECT_EQ(last_eval.epoch, 60);
  EXPECT_DOUBLE_EQ(*last_eval.top1, 76.2);
  EXPECT_EQ(*r.global_batch.value, 1664);
  EXPECT_EQ(*r.nodes.value, 1);  // "1xDGX-1 with V100"
  EXPECT_TRUE(r.derived.time_to_target_s.has_value());
  EXPECT_EQ(r.epochs_completed, 60);
}

TEST(Mlperf, SystemJsonBesideResults) {
  RN50_REQUIRE_CORPUS();
  struct Case {
    const char* folder;
    int64_t nodes, per_node, world;
    const char* accel;
  } cases[] = {{"v1.0-nvidia-dgxa100", 1, 8, 8, "NVIDIA A100-SXM4-80GB (400W)"},
               {"v1.0-google-tpuv4-128", 16, 4, 64, "TPU"},
               {"v0.6-nvidia-dgx1", 1, 8, 8, ""}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.folder);
    auto sys = find_mlperf_system(kMlperf.corpus(std::string(c.folder) + "/result_0.txt"));
    ASSERT_TRUE(sys.has_value());
    if (std::string(c.folder) == "v0.6-nvidia-dgx1") {
      // This sidecar is not JSON at all: reported, and it must not block the result file.
      EXPECT_FALSE(sys->parsed);
      ASSERT_EQ(sys->warnings.size(), 1u);
      EXPECT_NE(sys->warnings[0].find("system_dgx1_ngc19.05_mxnet.json"), std::string::npos);
      auto f = kMlperf.parse_corpus("v0.6-nvidia-dgx1/result_0.txt");
      apply_mlperf_system(f.runs[0], *sys, sys->file_name);
      EXPECT_FALSE(f.runs[0].world_size.known());
      continue;
    }
    EXPECT_EQ(sys->number_of_nodes, c.nodes);
    EXPECT_EQ(sys->accelerators_per_node, c.per_node);
    EXPECT_EQ(sys->accelerator_model_name, c.accel);
    auto f = kMlperf.parse_corpus(std::string(c.folder) + "/result_0.txt");
    auto& r = f.runs[0];
    apply_mlperf_system(r, *sys, "result_0.txt");  // as the ingest command calls it
    EXPECT_EQ(*r.world_size.value, c.world);
    EXPECT_EQ(r.world_size.source, Source::kInferred);
    EXPECT_NE(r.world_size.detail.find(sys->file_name), std::string::npos);
    EXPECT_EQ(*r.nodes.value, c.nodes);
    EXPECT_EQ(*r.batch_per_device.value, *r.global_batch.value / c.world);
    EXPECT_EQ(r.find_param("system.accelerator_model_name")->value, c.accel);
  }
}

TEST(Mlperf, SystemJsonUserFactsWinAndTodoCounts) {
  auto sys = find_mlperf_system(kMlperf.fixture("two_ranks_prefixed.txt"));
  ASSERT_TRUE(sys.has_value());
  EXPECT_FALSE(sys->number_of_nodes.has_value());  // "TODO"
  EXPECT_EQ(sys->accelerators_per_node, 8);
  ASSERT_EQ(sys->warnings.size(), 1u);
  EXPECT_NE(sys->warnings[0].find("number_of_nodes"), std::string::npos);

  core::DeriveOptions opt;
  opt.sets["world_size"] = "4";
  auto f = kMlperf.parse_fixture("two_ranks_prefixed.txt", opt);
  auto& r = f.runs[0];
  MlperfSystem full = *sys;
  full.number_of_nodes = 3;
  apply_mlperf_system(r, full, full.file_name);
  EXPECT_EQ(*r.world_size.value, 4);
  EXPECT_EQ(r.world_size.source, Source::kUser);
  EXPECT_EQ(*r.nodes.value, 3);
}

TEST(Mlperf, SystemJsonErrorsNameTheFile) {
  try {
    parse_mlperf_system("{\"number_of_nodes\": ", "system_x.json");
    FAIL() << "no exception";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("system_x.json"), std::string::npos);
  }
  EXPECT_THROW(parse_mlperf_system("[1, 2]", "system_y.json"), core::Error);
}

TEST(Mlperf, NoSystemJsonWhenAmbiguousOrMissing) {
  auto dir = rn50::testing::make_temp_dir("mlperf-sys");
  std::ofstream(dir / "result_0.txt") << "x\n";
  EXPECT_FALSE(find_mlperf_system(dir / "result_0.txt").has_value());
  std::ofstream(dir / "system_a.json")
      << R"({"number_of_nodes": "2", "accelerators_per_node": "4"})";
  auto one = find_mlperf_system(dir / "result_0.txt");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->number_of_nodes, 2);
  std::ofstream(dir / "system_b.json") << "{}";
  EXPECT_FALSE(find_mlperf_system(dir / "result_0.txt").has_value());
  std::filesystem::remove_all(dir);
}

TEST(Mlperf, PrefixedDuplicatedRanksFirstStartStopWin) {
  auto f = kMlperf.parse_fixture("two_ranks_prefixed.txt");
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  EXPECT_EQ(r.status, RunStatus::kFinished);  // rank 1's later "aborted" does not count
  EXPECT_NEAR(*r.derived.wall_time_s, 44.1, 1e-6);
  EXPECT_NEAR(*r.derived.time_to_target_s, 44.0, 1e-6);
  EXPECT_EQ(*r.derived.target_epoch, 4);
  EXPECT_NEAR(*r.derived.total_ips, 100.0, 1e-6);  // 1000 images x 4 epochs / 40 s
  EXPECT_EQ(*r.nodes.value, 2);                    // "2xACME Box"
  EXPECT_EQ(*r.global_batch.value, 512);
  EXPECT_EQ(r.find_param("opt_name")->value, "sgd caf\xc3\xa9");  // latin-1 e-acute as UTF-8
  ASSERT_EQ(r.epochs.size(), 4u);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top1, 50.0);
  EXPECT_DOUBLE_EQ(*r.epochs[3].top1, 76.12);
  EXPECT_DOUBLE_EQ(*r.epochs[3].total_ips, 104.0);
  EXPECT_TRUE(has_diagnostic_at(f, 26));   // invalid JSON after the token
  EXPECT_FALSE(has_diagnostic_at(f, 27));  // non-MLLOG noise is ignored silently
  for (const auto& e : r.events) {
    EXPECT_TRUE(json::is_valid(e.value_json)) << e.value_json;
    EXPECT_TRUE(json::is_valid(e.metadata_json)) << e.metadata_json;
  }
}

TEST(Mlperf, MissingRunStopIsIncompleteAndThroughputFallsBack) {
  auto f = kMlperf.parse_fixture("no_run_stop.txt");
  const auto& r = f.runs[0];
  EXPECT_EQ(r.status, RunStatus::kIncomplete);
  EXPECT_FALSE(r.derived.wall_time_s.has_value());
  EXPECT_NEAR(*r.derived.total_ips, 1500.0, 1e-9);  // harmonic mean of 1000 and 3000
  EXPECT_NE(r.derived.total_ips_definition.find("harmonic"), std::string::npos);
  EXPECT_EQ(r.epochs_completed, 2);  // fractional eval epoch 2.5
}

TEST(Mlperf, StatusFailAndV05) {
  EXPECT_EQ(kMlperf.parse_fixture("status_fail.txt").runs[0].status, RunStatus::kFailed);
  auto v05 = kMlperf.parse_fixture("v05_only.txt");
  EXPECT_TRUE(v05.runs.empty());
  ASSERT_FALSE(v05.diagnostics.empty());
  EXPECT_NE(v05.diagnostics[0].message.find("v0.5"), std::string::npos);
}

TEST(Mlperf, JsonScanner) {
  std::vector<json::Member> m;
  EXPECT_TRUE(json::object_members(R"({"a": [1, {"b": NaN}], "c": "x\"y", "d": -1.5e3})", m));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].key.content(), "a");
  EXPECT_EQ(m[1].value.text, R"("x\"y")");
  EXPECT_EQ(*json::number(m[2].value), -1500);
  EXPECT_EQ(json::stored_string(m[1].value, TextKind::kValue), "x\"y");
  EXPECT_EQ(json::stored_string("\\u00e9\\ud83d\\ude00", true, TextKind::kValue),
            "\xc3\xa9\xf0\x9f\x98\x80");
  std::string why;
  EXPECT_FALSE(json::object_members(R"({"a": 1,})", m, &why));
  EXPECT_NE(why.find("byte"), std::string::npos);
  EXPECT_FALSE(json::object_members(R"({"a": 01})", m));
  EXPECT_FALSE(json::object_members(R"({"a": 1} x)", m));
  EXPECT_FALSE(json::object_members(std::string(200, '['), m));
  EXPECT_FALSE(json::is_valid(std::string(100000, '[')));  // depth-limited
}

TEST(Mlperf, SniffScores) {
  auto p = make_mlperf_parser();
  EXPECT_EQ(p->sniff(""), 0);
  EXPECT_GT(p->sniff(core::read_file(kMlperf.fixture("two_ranks_prefixed.txt"))), 80);
  EXPECT_EQ(p->sniff("{\"number_of_nodes\": \"1\"}"), 0);
}

}  // namespace
}  // namespace rn50::parsers
