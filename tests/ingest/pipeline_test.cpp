// The ingest pipeline without the CLI: a whole MLPerf results tree in its official layout (sets by
// where runs come from, devices from systems/<system>.json, each set's scaling.json), one file
// under two organisations, what an archive holds besides ResNet runs, non-regular files, and the
// streamed path for large files giving the same rows as the in-memory one.
#include "ingest/pipeline.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/file_util.h"
#include "store/queries.h"
#include "store/sqlite_util.h"
#include "test_support.h"

namespace rn50::ingest {
namespace {

namespace fs = std::filesystem;

std::vector<FileResult> run_all(Pipeline& p, const std::vector<std::string>& paths, Totals* t) {
  std::vector<FileResult> out;
  *t = p.run(paths, [&](const FileResult& r) { out.push_back(r); });
  return out;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rn50::testing::make_temp_dir("rn50-pipeline"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PipelineTest, MlperfTreeBecomesOneSetPerSystemFolderWithItsDevicesAndScaling) {
  RN50_REQUIRE_CORPUS();
  const fs::path tree = rn50::testing::corpus_dir() / "mlperf-tree-v2.1";
  auto db = store::Database::open(":memory:");
  Options opt;
  opt.experiment = "v2.1";
  Pipeline pipeline(*db, opt);
  Totals t;
  const auto files = run_all(pipeline, {tree.string()}, &t);
  EXPECT_EQ(t.failed, 0);
  EXPECT_EQ(t.stored, 90);  // 18 systems x 5 result files
  EXPECT_EQ(t.used_by_kind["system description"], 18);
  EXPECT_EQ(t.used_by_kind["scaling.json"], 13);
  EXPECT_EQ(t.skipped, 4);  // EXPECTED.md and the three tsv files
  EXPECT_EQ(t.skipped_by_reason["not a known log format"][""], 4);

  const auto runs = store::load_runs(*db, {}, store::Detail::kSummary);
  ASSERT_EQ(runs.size(), 90u);
  std::map<std::string, std::vector<const store::StoredRun*>> sets;
  for (const auto& r : runs) sets[r.set_key].push_back(&r);
  ASSERT_EQ(sets.size(), 18u);  // never merged by submission_platform

  for (const auto& row : rn50::testing::read_tsv(tree / "expected_systems.tsv")) {
    const std::string key = row.at("org") + "/" + row.at("system") + "/resnet";
    ASSERT_TRUE(sets.count(key)) << key;
    const auto& members = sets[key];
    EXPECT_EQ(members.size(), 5u) << key;
    for (const auto* r : members) {
      EXPECT_EQ(r->set_org, row.at("org"));
      EXPECT_EQ(r->set_system, row.at("system"));
      ASSERT_TRUE(r->system_file) << key;
      EXPECT_EQ(fs::path(*r->system_file).filename().string(), row.at("system") + ".json");
      EXPECT_EQ(r->run.nodes.value, std::stoll(row.at("nodes"))) << key;
      const auto* acc = r->run.find_param("system.accelerators_per_node");
      ASSERT_NE(acc, nullptr) << key;
      EXPECT_EQ(acc->value, row.at("accelerators_per_node")) << key;
      if (row.at("devices") != "0") {
        EXPECT_EQ(r->run.world_size.value, std::stoll(row.at("devices"))) << key;
      } else {
        // CPU-only: the devices are the host processors, and the fact says so.
        ASSERT_TRUE(r->run.world_size.value) << key;
        EXPECT_NE(r->run.world_size.detail.find("CPU-only"), std::string::npos)
            << r->run.world_size.detail;
        EXPECT_EQ(r->run.find_param("system.devices_are")->value, "host processors");
      }
      EXPECT_TRUE(r->run.name.starts_with(row.at("org") + "/" + row.at("system") + "/result_"))
          << r->run.name;
      EXPECT_EQ(r->scaling_factor.has_value(), row.at("has_scaling_json") == "True") << key;
    }
  }
  for (const auto& row : rn50::testing::read_tsv(tree / "expected_scores.tsv")) {
    const auto& members = sets[row.at("org") + "/" + row.at("system") + "/resnet"];
    ASSERT_FALSE(members.empty());
    const double factor = std::stod(row.at("scaling_factor"));
    EXPECT_NEAR(members[0]->scaling_factor.value_or(1.0), factor, 1e-12) << row.at("system");
  }
}

// Copies every regular file below `from` to the same place below `to`.
void copy_tree(const fs::path& from, const fs::path& to) {
  for (const auto& e : fs::recursive_directory_iterator(from)) {
    const fs::path dst = to / fs::relative(e.path(), from);
    if (e.is_directory()) {
      fs::create_directories(dst);
    } else {
      fs::create_directories(dst.parent_path());
      fs::copy_file(e.path(), dst);
    }
  }
}

TEST_F(PipelineTest, OneSystemSubmittedUnderTwoOrganisationsIsStoredOnceAndScoredTwice) {
  RN50_REQUIRE_CORPUS();
  const fs::path nv = rn50::testing::corpus_dir() / "mlperf-tree-v2.1" / "NVIDIA";
  for (const char* org : {"NVIDIA", "Resold"}) {
    copy_tree(nv / "results" / "dgxa100_ngc22.04_mxnet",
              dir_ / org / "results" / "dgxa100_ngc22.04_mxnet");
    fs::create_directories(dir_ / org / "systems");
    fs::copy_file(nv / "systems" / "dgxa100_ngc22.04_mxnet.json",
                  dir_ / org / "systems" / "dgxa100_ngc22.04_mxnet.json");
  }
  auto db = store::Database::open(":memory:");
  Pipeline pipeline(*db, Options{});
  Totals t;
  const auto files = run_all(pipeline, {dir_.string()}, &t);
  EXPECT_EQ(t.failed, 0);
  EXPECT_EQ(t.stored, 5);
  EXPECT_EQ(t.joined, 5);  // the second organisation's copies
  EXPECT_EQ(store::query_int(db->raw(), "SELECT count(*) FROM runs"), 5);
  EXPECT_EQ(store::query_int(db->raw(), "SELECT count(*) FROM memberships"), 10);
  const auto runs = store::load_runs(*db, {}, store::Detail::kSummary);
  std::map<std::string, int> per_set;
  for (const auto& r : runs) ++per_set[r.set_key];
  EXPECT_EQ(per_set, (std::map<std::string, int>{{"NVIDIA/dgxa100_ngc22.04_mxnet/resnet", 5},
                                                 {"Resold/dgxa100_ngc22.04_mxnet/resnet", 5}}));
  for (const auto& r : runs) {
    EXPECT_TRUE(r.run.name.starts_with(*r.set_org + "/")) << r.run.name;
    EXPECT_DOUBLE_EQ(r.scaling_factor.value_or(0), 1.0043956043956044);
  }
  // Ingesting the tree again changes nothing.
  Pipeline again(*db, Options{});
  Totals t2;
  run_all(again, {dir_.string()}, &t2);
  EXPECT_EQ(t2.duplicates, 10);
  EXPECT_EQ(store::query_int(db->raw(), "SELECT count(*) FROM memberships"), 10);
}

// Descriptions are small: a scaling.json or systems/*.json of more than 1 MiB is not read (a
// diagnostic names it), and the runs are stored without what it would have said.
TEST_F(PipelineTest, OversizedDescriptionsAreNotReadAndSaySo) {
  RN50_REQUIRE_CORPUS();
  const fs::path nv = rn50::testing::corpus_dir() / "mlperf-tree-v2.1" / "NVIDIA";
  const fs::path set = dir_ / "NVIDIA" / "results" / "dgxa100_ngc22.04_mxnet";
  copy_tree(nv / "results" / "dgxa100_ngc22.04_mxnet", set);
  fs::create_directories(dir_ / "NVIDIA" / "systems");
  const std::string huge = "{\"scaling_factor\": 1.5" + std::string(size_t(1) << 20, ' ') + "}";
  core::write_file_atomic(set / "resnet" / "scaling.json", huge);
  core::write_file_atomic(dir_ / "NVIDIA" / "systems" / "dgxa100_ngc22.04_mxnet.json", huge);
  auto db = store::Database::open(":memory:");
  Pipeline pipeline(*db, Options{});
  Totals t;
  run_all(pipeline, {dir_.string()}, &t);
  EXPECT_EQ(t.failed, 0);
  EXPECT_EQ(t.stored, 5);
  for (const auto& r : store::load_runs(*db, {}, store::Detail::kSummary)) {
    EXPECT_FALSE(r.scaling_factor.has_value());
    EXPECT_EQ(r.run.world_size.value, std::nullopt);
  }
  EXPECT_EQ(store::query_int(db->raw(),
                             "SELECT count(DISTINCT source_file_id) FROM ingest_diagnostics "
                             "WHERE message LIKE '%scaling.json: larger than 1 MiB, not read%'"),
            5);
  EXPECT_EQ(store::query_int(db->raw(),
                             "SELECT count(DISTINCT source_file_id) FROM ingest_diagnostics WHERE "
                             "message LIKE '%dgxa100_ngc22.04_mxnet.json: larger than 1 MiB%'"),
            5);
}

TEST_F(PipelineTest, WhatAnArchiveHoldsBesidesResnetRunsIsSkippedWithItsReason) {
  RN50_REQUIRE_CORPUS();
  const fs::path result = rn50::testing::corpus_dir() / "mlperf-tree-v2.1" / "NVIDIA" / "results" /
                          "dgxa100_ngc22.04_mxnet" / "resnet" / "result_0.txt";
  const fs::path org = dir_ / "Org";
  fs::create_directories(org / "systems");
  std::ofstream(org / "systems" / "sys.json") << "{\"number_of_nodes\": \"1\"}";
  auto put = [&](const fs::path& rel, const fs::path& src) {
    fs::create_directories((org / rel).parent_path());
    fs::copy_file(src, org / rel);
  };
  put("results/sys/resnet/result_0.txt", result);
  put("results/sys/bert/result_0.txt", result);  // a log, but of another benchmark
  put("results/sys/bert/result_1.txt", result);
  put("results/sys/ssd/result_0.txt", result);
  put("results/sys/resnet/power/node_0/sw_0.txt", result);
  put("results/sys/resnet/compliance_checker_log.txt", result);
  put("benchmarks/resnet/implementations/mxnet/run.sh", result);
  auto db = store::Database::open(":memory:");
  Pipeline pipeline(*db, Options{});
  Totals t;
  const auto files = run_all(pipeline, {dir_.string()}, &t);
  EXPECT_EQ(t.failed, 0);
  EXPECT_EQ(t.stored, 1);
  EXPECT_EQ(t.skipped_by_reason["other MLPerf benchmark"]["bert"], 2);
  EXPECT_EQ(t.skipped_by_reason["other MLPerf benchmark"]["ssd"], 1);
  EXPECT_EQ(t.skipped_by_reason["power log"][""], 1);
  EXPECT_EQ(t.skipped_by_reason["compliance-checker output"][""], 1);
  EXPECT_EQ(t.skipped_by_reason["submitted code"]["Org"], 1);
  EXPECT_EQ(describe_skipped(t),
            "skipped 6 files: compliance-checker output 1, other MLPerf benchmark 3 (bert 2, "
            "ssd 1), power log 1, submitted code 1 (Org 1)");
}

TEST_F(PipelineTest, NonRegularFilesAreRefusedByNameNeverOpened) {
  const fs::path fifo = dir_ / "logs" / "pipe";
  fs::create_directories(fifo.parent_path());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::ofstream(dir_ / "logs" / "notes.txt") << "hello\n";
  auto db = store::Database::open(":memory:");
  Pipeline pipeline(*db, Options{});
  Totals t;
  auto files = run_all(pipeline, {(dir_ / "logs").string()}, &t);
  EXPECT_EQ(t.skipped_by_reason["not a regular file"][""], 1);
  // Named explicitly: an error that names it, not a hang.
  files = run_all(pipeline, {fifo.string()}, &t);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].outcome, Outcome::kFailed);
  EXPECT_NE(files[0].message.find("FIFO"), std::string::npos) << files[0].message;
  EXPECT_NE(files[0].message.find(fifo.string()), std::string::npos) << files[0].message;
}

std::string dump(store::Database& db) {
  store::Statement st(db.raw(),
                      "SELECT key, level, seq, epoch, step, time, value FROM v_metric_history "
                      "ORDER BY key, level, seq");
  std::string out;
  while (st.step()) {
    for (int c = 0; c < 7; ++c) out += (st.is_null(c) ? "-" : st.col_text(c)) + " ";
    out += "\n";
  }
  store::Statement runs(db.raw(),
                        "SELECT status, world_size, total_ips, compute_ips, best_top1, "
                        "time_to_target_s, step_time_p90, epochs_completed FROM v_run_summary");
  while (runs.step())
    for (int c = 0; c < 8; ++c) out += (runs.is_null(c) ? "-" : runs.col_text(c)) + " ";
  return out;
}

TEST_F(PipelineTest, StreamedLargeFileGivesTheSameRowsAsOneParsedInMemory) {
  RN50_REQUIRE_CORPUS();
  // Logs with thousands of points (many segments at this budget) and with a few dozen.
  for (const char* rel :
       {"ngc-stdout/airank/GPUx1_time2train_ips.log", "ngc-dllogger-json/example_resnet_log.json",
        "mlperf/v1.0-nvidia-dgxa100/result_0.txt"}) {
    const fs::path log = rn50::testing::corpus_dir() / rel;
    auto in_memory = store::Database::open(":memory:");
    Pipeline a(*in_memory, Options{});
    Totals ta;
    run_all(a, {log.string()}, &ta);
    ASSERT_EQ(ta.stored, 1) << rel;

    auto streamed = store::Database::open(":memory:");
    Options small;
    small.stream_threshold_bytes = 1024;  // every real log is "large"
    small.stream_budget_bytes = 4096;     // and cut into many segments
    Pipeline b(*streamed, small);
    Totals tb;
    run_all(b, {log.string()}, &tb);
    ASSERT_EQ(tb.stored, 1) << rel;
    if (std::string(rel).starts_with("ngc-stdout")) {
      EXPECT_GT(store::query_int(streamed->raw(), "SELECT max(segment) FROM metric_series"), 50);
    }
    EXPECT_EQ(dump(*streamed), dump(*in_memory)) << rel;
  }
}

}  // namespace
}  // namespace rn50::ingest
