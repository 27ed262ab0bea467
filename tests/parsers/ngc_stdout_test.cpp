// NGC dllogger stdout parser: real AI-Rank / DLPerf logs (numbers from corpus/EXPECTED.md) and
// hand-written fixtures for the eras and failure modes the corpus lacks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "core/error.h"
#include "core/file_util.h"
#include "parser_test_util.h"
#include "parsers/ngc_common.h"
#include "parsers/parser.h"
#include "parsers/text.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::ParsedFile;
using core::RunRecord;
using core::Severity;
using core::Source;

using testing::count_warnings;
using testing::metric_points;
using testing::warning_at;

constexpr testing::FormatUnderTest kNgcStdout(make_ngc_stdout_parser, "", "ngc");

// 2026-11-21 12:00:00 UTC, the base of the hand-written fixtures.
constexpr double kT0 = 1795262400.0;

// ---- corpus: AI-Rank submission logs ---------------------------------------------------------

TEST(NgcStdoutCorpus, Gpu1TimeToTrainMatchesPublishedNumbers) {
  RN50_REQUIRE_CORPUS();
  const ParsedFile pf = kNgcStdout.parse_corpus("ngc-stdout/airank/GPUx1_time2train_ips.log");
  EXPECT_EQ(pf.format, "ngc-dllogger-stdout");
  EXPECT_EQ(pf.parser_version, "2");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.run_key, "");
  EXPECT_EQ(r.source_format, "ngc-dllogger-stdout");
  EXPECT_EQ(r.status, core::RunStatus::kFinished);

  ASSERT_EQ(r.epochs.size(), 90u);
  EXPECT_EQ(r.epochs.front().epoch, 0);
  EXPECT_EQ(r.epochs.back().epoch, 89);
  EXPECT_NEAR(*r.epochs.back().top1, 76.63, 1e-9);
  EXPECT_NEAR(*r.derived.best_top1, 76.63, 1e-9);
  EXPECT_NEAR(*r.derived.last_top1, 76.63, 1e-9);
  // 76.63 at epochs 87 and 89 (88 has 76.62): ties go to the later epoch ("best = last").
  EXPECT_EQ(*r.derived.best_top1_epoch, 89);
  EXPECT_NEAR(*r.derived.best_top5, 93.04, 1e-9);
  EXPECT_EQ(*r.epochs_completed, 90);

  EXPECT_EQ(*r.derived.target_epoch, 82);
  EXPECT_NEAR(*r.epochs[82].top1, 75.97, 1e-9);
  EXPECT_NEAR(*r.derived.time_to_target_s, 126696.97, 1.0);

  EXPECT_NEAR(*r.derived.summary_total_ips, 854.37, 1e-9);
  EXPECT_NEAR(*r.derived.summary_compute_ips, 859.24, 1e-9);
  EXPECT_NEAR(*r.derived.summary_top1, 76.63, 1e-9);
  EXPECT_NEAR(*r.derived.summary_top5, 93.04, 1e-9);
  EXPECT_NEAR(*r.derived.wall_time_s, 137335.28, 1.0);

  // Facts from PARAMETER.
  EXPECT_EQ(*r.world_size.value, 1);
  EXPECT_EQ(r.world_size.source, Source::kLog);
  EXPECT_EQ(*r.batch_per_device.value, 256);
  EXPECT_EQ(*r.global_batch.value, 256);
  EXPECT_EQ(r.global_batch.source, Source::kInferred);
  EXPECT_EQ(*r.epochs_planned.value, 90);
  EXPECT_EQ(*r.precision.value, "amp");
  EXPECT_FALSE(r.nodes.known());
  ASSERT_NE(r.find_param("optimizer_batch_size"), nullptr);
  EXPECT_EQ(r.find_param("optimizer_batch_size")->value, "2048");
  ASSERT_NE(r.find_param("pretrained_weights"), nullptr);
  EXPECT_EQ(r.find_param("pretrained_weights")->value, "");  // `pretrained_weights :   fp16`
  EXPECT_EQ(r.find_param("fp16")->value, "False");
  EXPECT_EQ(r.find_param("weight_decay")->value, "3.0517578125e-05");
  EXPECT_EQ(r.find_param("world_size")->value, "1");

  // Epoch 0 = both epoch lines merged; `lr` is stored as train.lr.
  const auto& e0 = r.epochs[0];
  EXPECT_NEAR(*e0.train_loss, 6.55774, 1e-9);
  EXPECT_NEAR(*e0.total_ips, 857.51, 1e-9);
  EXPECT_NEAR(*e0.compute_ips, 860.42, 1e-9);
  EXPECT_NEAR(*e0.lr, 0.256, 1e-12);
  EXPECT_NEAR(*e0.top1, 4.79, 1e-9);
  EXPECT_TRUE(metric_points(r, "lr", "epoch").empty());
  EXPECT_EQ(metric_points(r, "train.lr", "epoch").size(), 90u);

  // Our steady-window throughput is close to the per-epoch values (~855).
  ASSERT_TRUE(r.derived.total_ips);
  EXPECT_NEAR(*r.derived.total_ips, 855.0, 855.0 * 0.02);
  EXPECT_FALSE(r.derived.total_ips_definition.empty());
  ASSERT_TRUE(r.derived.compute_ips);
  EXPECT_NEAR(*r.derived.compute_ips, 859.24, 1.0);
  EXPECT_NE(r.derived.compute_ips_definition.find("epoch"), std::string::npos);
  ASSERT_TRUE(r.derived.step_time_p50);
  EXPECT_NEAR(*r.derived.step_time_p50, 256.0 / 855.0, 0.01);
  EXPECT_LE(*r.derived.step_time_p50, *r.derived.step_time_p90);
  EXPECT_LE(*r.derived.step_time_p90, *r.derived.step_time_p99);
}

TEST(NgcStdoutCorpus, Gpu1TimeToTrainWithOtherTarget) {
  RN50_REQUIRE_CORPUS();
  core::DeriveOptions opt;
  opt.target_top1 = 76.1;
  const ParsedFile pf = kNgcStdout.parse_corpus("ngc-stdout/airank/GPUx1_time2train_ips.log", opt);
  ASSERT_EQ(pf.runs.size(), 1u);
  EXPECT_EQ(*pf.runs[0].derived.target_epoch, 83);
  EXPECT_NEAR(*pf.runs[0].epochs[83].top1, 76.18, 1e-9);
  EXPECT_NEAR(*pf.runs[0].derived.target_top1, 76.1, 1e-12);
}

TEST(NgcStdoutCorpus, Gpu8MpirunTaggedRun) {
  RN50_REQUIRE_CORPUS();
  const ParsedFile pf = kNgcStdout.parse_corpus("ngc-stdout/airank/GPUx8_time2train_ips.log");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.status, core::RunStatus::kFinished);
  ASSERT_EQ(r.epochs.size(), 83u);
  EXPECT_EQ(r.epochs.back().epoch, 82);
  EXPECT_NEAR(*r.derived.best_top1, 76.20, 1e-9);
  EXPECT_NEAR(*r.derived.last_top1, 76.20, 1e-9);
  EXPECT_NEAR(*r.derived.summary_total_ips, 6244.87, 1e-9);
  EXPECT_NEAR(*r.derived.summary_compute_ips, 6264.05, 1e-9);
  EXPECT_NEAR(*r.derived.wall_time_s, 17494.33, 1.0);
  EXPECT_EQ(*r.world_size.value, 8);
  EXPECT_EQ(*r.global_batch.value, 2048);
  EXPECT_EQ(*r.epochs_planned.value, 90);  // stopped early: 83 of 90 epochs
  EXPECT_NEAR(*r.derived.total_ips, 6244.87, 6244.87 * 0.02);
}

TEST(NgcStdoutCorpus, Gpu32FourNodes) {
  RN50_REQUIRE_CORPUS();
  const ParsedFile pf = kNgcStdout.parse_corpus("ngc-stdout/airank/GPUx32_time2train_ips.log");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.status, core::RunStatus::kFinished);
  EXPECT_EQ(r.epochs.size(), 90u);
  EXPECT_NEAR(*r.derived.best_top1, 75.90, 1e-9);
  EXPECT_EQ(*r.derived.best_top1_epoch, 89);  // 75.90 at 87 and 89; first reached: target_epoch
  EXPECT_EQ(*r.derived.target_epoch, 87);     // default target 75.9
  EXPECT_NEAR(*r.derived.summary_total_ips, 22710.21, 1e-9);
  EXPECT_NEAR(*r.derived.summary_compute_ips, 22774.41, 1e-9);
  EXPECT_NEAR(*r.derived.wall_time_s, 5237.46, 1.0);
  EXPECT_EQ(*r.world_size.value, 32);
  EXPECT_EQ(*r.global_batch.value, 8192);
  EXPECT_EQ(r.find_param("optimizer_batch_size")->value, "8192");
}

TEST(NgcStdoutCorpus, Gpu1Accuracy250Epochs) {
  RN50_REQUIRE_CORPUS();
  const ParsedFile pf = kNgcStdout.parse_corpus("ngc-stdout/airank/GPUx1_accuracy.log");
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.epochs.size(), 250u);
  EXPECT_EQ(r.epochs.back().epoch, 249);
  EXPECT_NEAR(*r.derived.best_top1, 77.90, 1e-9);
  EXPECT_NEAR(*r.derived.last_top1, 77.90, 1e-9);
  EXPECT_NEAR(*r.derived.best_top5, 93.98, 1e-9);
  EXPECT_NEAR(*r.derived.summary_total_ips, 830.10, 1e-9);
  EXPECT_NEAR(*r.derived.summary_compute_ips, 836.54, 1e-9);
  EXPECT_EQ(*r.epochs_planned.value, 250);
}

TEST(NgcStdoutCorpus, DlperfExcerptSixteenRanksFp32) {
  RN50_REQUIRE_CORPUS();
  const ParsedFile pf =
      kNgcStdout.parse_corpus("ngc-stdout/dlperf/ngc_pytorch_2n8g_r50_b128_fp32_5.excerpt.log");
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(*r.world_size.value, 16);
  EXPECT_EQ(r.world_size.source, Source::kLog);
  EXPECT_EQ(*r.precision.value, "fp32");
  EXPECT_EQ(*r.batch_per_device.value, 128);
  EXPECT_EQ(*r.global_batch.value, 2048);
  EXPECT_EQ(r.status, core::RunStatus::kIncomplete);
  EXPECT_TRUE(r.epochs.empty());
  const auto ips = metric_points(r, "train.total_ips", "iter");
  ASSERT_EQ(ips.size(), 12u);
  for (size_t i = 0; i < ips.size(); ++i) {
    EXPECT_EQ(*ips[i]->step, static_cast<int64_t>(i + 1));
    EXPECT_EQ(*ips[i]->epoch, 0.0);
  }
  EXPECT_NEAR(ips.front()->value, 267.44, 1e-9);
  EXPECT_NEAR(ips.back()->value, 10393.54, 1e-9);
  // Iterations 6..12 (DLPerf skips the first 5): 2048 x 6 / (18.553769 - 16.161849).
  core::DeriveOptions opt;
  opt.skip_steps = 5;
  const ParsedFile skipped = kNgcStdout.parse_corpus(
      "ngc-stdout/dlperf/ngc_pytorch_2n8g_r50_b128_fp32_5.excerpt.log", opt);
  // Unix-second doubles resolve ~0.2 us at 2020 dates: compare to 1e-6 relative.
  EXPECT_NEAR(*skipped.runs[0].derived.total_ips, 2048.0 * 6 / (18.553769 - 16.161849), 5e-3);
}

TEST(NgcStdoutCorpus, ToyDlloggerExampleParses) {
  RN50_REQUIRE_CORPUS();
  const ParsedFile pf = kNgcStdout.parse_corpus("ngc-dllogger-json/example_stdout_log.txt");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);  // three PARAMETER lines before any training: one run
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.params.size(), 4u);
  EXPECT_EQ(r.find_param("HP4")->value, "2");
  EXPECT_EQ(metric_points(r, "loss", "iter").size(), 20u);
  EXPECT_EQ(metric_points(r, "val.loss", "val_iter").size(), 24u);
  EXPECT_EQ(r.epochs.size(), 2u);
  EXPECT_FALSE(r.precision.known());  // no amp/fp16 params: unknown, not fp32
  EXPECT_FALSE(r.derived.total_ips);  // no batch size
}

TEST(NgcStdoutCorpus, SniffRecognisesStdoutNotJson) {
  RN50_REQUIRE_CORPUS();
  const auto json = make_ngc_json_parser();
  for (const char* rel :
       {"ngc-stdout/airank/GPUx1_time2train_ips.log", "ngc-stdout/airank/GPUx8_time2train_ips.log",
        "ngc-stdout/dlperf/ngc_pytorch_2n8g_r50_b128_fp32_5.excerpt.log",
        "ngc-dllogger-json/example_stdout_log.txt"}) {
    const std::string c = core::read_file(kNgcStdout.corpus(rel));
    const std::string_view head = std::string_view(c).substr(0, 256 * 1024);
    EXPECT_GE(kNgcStdout.sniff(head), 80) << rel;
    EXPECT_EQ(json->sniff(head), 0) << rel;
  }
  for (const char* rel : {"EXPECTED.md", "ngc-stdout/airank/README.md",
                          "ngc-stdout/dlperf/extract_pytorch_logs_time.output.txt",
                          "ngc-dllogger-json/example_resnet_log.json"}) {
    const std::string c = core::read_file(kNgcStdout.corpus(rel));
    EXPECT_EQ(kNgcStdout.sniff(c), 0) << rel;
  }
}

// ---- fixtures -------------------------------------------------------------------------------

TEST(NgcStdoutFixture, CurrentDleNoneUnitImagesPerSecond) {
  const ParsedFile pf = kNgcStdout.parse_fixture("current_dle.log");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);  // the model.* PARAMETER record belongs to the same run
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.status, core::RunStatus::kFinished);
  EXPECT_EQ(r.find_param("model.fused_se")->value, "True");
  EXPECT_EQ(r.find_param("image_size")->value, "None");
  EXPECT_EQ(r.find_param("world_size")->value, "1");
  EXPECT_EQ(*r.precision.value, "amp");
  EXPECT_EQ(*r.global_batch.value, 64);

  // Timestamps without microseconds (Python drops .000000) parse to whole seconds.
  EXPECT_DOUBLE_EQ(*r.start_time, kT0 + 5);
  EXPECT_DOUBLE_EQ(*r.end_time, kT0 + 56);
  EXPECT_NEAR(*r.derived.wall_time_s, 51.0, 1e-6);

  // `None` is a unit token, never a value or a key.
  const auto loss = metric_points(r, "train.loss", "iter");
  ASSERT_EQ(loss.size(), 6u);
  EXPECT_NEAR(loss[0]->value, 10.19452, 1e-12);
  EXPECT_DOUBLE_EQ(*loss[0]->time, kT0 + 5);
  EXPECT_EQ(metric_points(r, "None", "iter").size(), 0u);
  const auto gs = metric_points(r, "train.grad_scale", "iter");
  ASSERT_EQ(gs.size(), 6u);
  EXPECT_NEAR(gs[2]->value, 64.0, 1e-12);
  EXPECT_EQ(metric_points(r, "train.lr", "iter").size(), 6u);
  const auto val = metric_points(r, "val.top1", "val_iter");
  ASSERT_EQ(val.size(), 2u);
  EXPECT_EQ(*val[0]->step, 10);  // validation iteration
  EXPECT_NEAR(val[0]->value, 4.21, 1e-12);

  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_NEAR(*r.epochs[0].train_loss, 8.83528, 1e-12);
  EXPECT_NEAR(*r.epochs[0].top1, 4.79, 1e-12);
  EXPECT_NEAR(*r.epochs[0].top5, 14.45, 1e-12);
  EXPECT_NEAR(*r.epochs[0].lr, 0.128, 1e-12);
  EXPECT_NEAR(*r.epochs[0].total_ips, 121.90, 1e-12);
  EXPECT_NEAR(*r.epochs[0].compute_ips, 156.10, 1e-12);
  EXPECT_NEAR(*r.epochs[0].time, kT0 + 20.1, 1e-6);
  EXPECT_NEAR(*r.epochs[1].top1, 9.12, 1e-12);
  EXPECT_NEAR(*r.epochs[1].lr, 0.064, 1e-12);
  // Both epoch lines merged: the VERBOSE line's metrics are at the first line's time.
  const auto data_time = metric_points(r, "train.data_time", "epoch");
  ASSERT_EQ(data_time.size(), 2u);
  EXPECT_NEAR(*data_time[0]->time, kT0 + 20.1, 1e-6);

  EXPECT_NEAR(*r.derived.summary_total_ips, 124.95, 1e-12);
  EXPECT_NEAR(*r.derived.summary_compute_ips, 158.05, 1e-12);
  EXPECT_NEAR(*r.derived.summary_top1, 9.12, 1e-12);

  // Pairs (10,20) (20,30) of each epoch: 40 iterations in 5 + 5.5 + 5 + 5 seconds.
  EXPECT_NEAR(*r.derived.total_ips, 64.0 * 40 / 20.5, 1e-6);
  // Each iteration record covers 10 iterations (640 images): 150, then five times 160.
  EXPECT_NEAR(*r.derived.compute_ips, 3840.0 / (640.0 / 150 + 5 * 640.0 / 160), 1e-6);
  EXPECT_NE(r.derived.compute_ips_definition.find("6 logged training iterations"),
            std::string::npos);
  EXPECT_NEAR(*r.derived.step_time_p50, 0.5, 1e-6);
  EXPECT_NEAR(*r.derived.step_time_p90, 0.55, 1e-6);
  EXPECT_NEAR(*r.derived.step_time_p99, 0.55, 1e-6);
  EXPECT_FALSE(r.derived.time_to_target_s);  // 9.12 % never reaches 75.9 %
}

TEST(NgcStdoutFixture, SkipStepsWindowAndTarget) {
  core::DeriveOptions opt;
  opt.skip_steps = 10;
  opt.target_top1 = 4.0;
  const RunRecord r = kNgcStdout.parse_fixture("current_dle.log", opt).runs.at(0);
  EXPECT_NEAR(*r.derived.total_ips, 64.0 * 20 / 10.5, 1e-6);
  EXPECT_NE(r.derived.total_ips_definition.find("iteration > 10"), std::string::npos);
  EXPECT_EQ(*r.derived.target_epoch, 0);
  EXPECT_NEAR(*r.derived.time_to_target_s, 15.1, 1e-6);

  core::DeriveOptions win;
  win.window_first = 20;
  win.window_last = 30;
  const RunRecord w = kNgcStdout.parse_fixture("current_dle.log", win).runs.at(0);
  EXPECT_NEAR(*w.derived.total_ips, 64.0 * 20 / 10.5, 1e-6);
  win.window_last = 25;  // no pair left inside the window
  const RunRecord none = kNgcStdout.parse_fixture("current_dle.log", win).runs.at(0);
  EXPECT_FALSE(none.derived.total_ips);
  EXPECT_FALSE(none.derived.step_time_p50);
}

TEST(NgcStdoutFixture, UserFactsWinAndFeedThroughput) {
  core::DeriveOptions opt;
  opt.sets["batch_size"] = "128";
  const RunRecord r = kNgcStdout.parse_fixture("current_dle.log", opt).runs.at(0);
  EXPECT_EQ(*r.batch_per_device.value, 128);
  EXPECT_EQ(r.batch_per_device.source, Source::kUser);
  EXPECT_EQ(*r.global_batch.value, 128);
  EXPECT_NEAR(*r.derived.total_ips, 128.0 * 40 / 20.5, 1e-6);

  core::DeriveOptions bad;
  bad.sets["batch_size"] = "lots";
  EXPECT_THROW(kNgcStdout.parse_fixture("current_dle.log", bad), core::UsageError);
}

TEST(NgcStdoutFixture, Ngc2003Fp16WithSeparateLr) {
  const ParsedFile pf = kNgcStdout.parse_fixture("ngc2003_fp16.log");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(*r.precision.value, "fp16");
  EXPECT_EQ(r.precision.source, Source::kLog);
  EXPECT_EQ(r.find_param("pretrained_weights")->value, "");
  EXPECT_EQ(r.find_param("fp16")->value, "True");
  EXPECT_EQ(r.find_param("static_loss_scale")->value, "256.0");
  EXPECT_EQ(*r.global_batch.value, 256);
  EXPECT_EQ(r.status, core::RunStatus::kFinished);
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_NEAR(*r.epochs[0].lr, 0.256, 1e-12);
  EXPECT_NEAR(*r.epochs[0].top1, 0.10, 1e-12);
  EXPECT_EQ(metric_points(r, "lr", "summary").size(), 0u);
  EXPECT_EQ(metric_points(r, "train.lr", "summary").size(), 1u);
  // All pairs: 5 iterations in 0.9 + 4 x 0.32 s; skipping iteration 1 leaves the steady 800.
  EXPECT_NEAR(*r.derived.total_ips, 256.0 * 5 / 2.18, 1e-3);
  core::DeriveOptions opt;
  opt.skip_steps = 1;
  EXPECT_NEAR(*kNgcStdout.parse_fixture("ngc2003_fp16.log", opt).runs.at(0).derived.total_ips,
              800.0, 1e-3);
  // No per-iteration compute_ips in this era: from the single epoch record.
  EXPECT_NEAR(*r.derived.compute_ips, 712.44, 1e-9);
  EXPECT_NEAR(*r.derived.summary_compute_ips, 712.44, 1e-12);
}

TEST(NgcStdoutFixture, MpirunTaggedKeepsRankZero) {
  const ParsedFile pf = kNgcStdout.parse_fixture("mpirun_tagged.log");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.find_param("local_rank")->value, "0");
  EXPECT_EQ(*r.world_size.value, 2);
  EXPECT_EQ(*r.global_batch.value, 256);
  for (const auto* p : metric_points(r, "train.total_ips", "iter"))
    EXPECT_NEAR(p->value, 512.0, 1e-12);
  EXPECT_EQ(metric_points(r, "train.total_ips", "iter").size(), 3u);
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_NEAR(*r.epochs[0].top1, 1.25, 1e-12);
  EXPECT_NEAR(*r.derived.total_ips, 512.0, 1e-6);
  EXPECT_EQ(r.status, core::RunStatus::kIncomplete);
  const auto info = std::find_if(pf.diagnostics.begin(), pf.diagnostics.end(),
                                 [](const auto& d) { return d.severity == Severity::kInfo; });
  ASSERT_NE(info, pf.diagnostics.end());
  EXPECT_NE(info->message.find("ranks 1"), std::string::npos) << info->message;
}

TEST(NgcStdoutFixture, MpirunWithoutRankZeroKeepsLowestRank) {
  const std::string text =
      "x[1,3]<stdout>:DLL 2026-11-21 12:00:00.000000 - PARAMETER batch_size : 8  world_size : 4 \n"
      "x[1,5]<stdout>:DLL 2026-11-21 12:00:01.000000 - Epoch: 0 Iteration: 1  train.loss : 9.0  \n"
      "x[1,3]<stdout>:DLL 2026-11-21 12:00:01.000000 - Epoch: 0 Iteration: 1  train.loss : 3.0  \n";
  const ParsedFile pf = kNgcStdout.parse_text(text);
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto loss = metric_points(pf.runs[0], "train.loss", "iter");
  ASSERT_EQ(loss.size(), 1u);
  EXPECT_EQ(loss[0]->value, 3.0);
  size_t infos = 0;
  for (const auto& d : pf.diagnostics)
    if (d.severity == Severity::kInfo) ++infos;
  EXPECT_EQ(infos, 2u);  // "kept rank 3" and "ignored ranks 5"
}

TEST(NgcStdoutFixture, TwoRunsInOneFile) {
  const ParsedFile pf = kNgcStdout.parse_fixture("two_runs.log");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 2u);
  const RunRecord& a = pf.runs[0];
  const RunRecord& b = pf.runs[1];
  EXPECT_EQ(a.run_key, "");
  EXPECT_EQ(b.run_key, "run2");
  EXPECT_EQ(a.status, core::RunStatus::kFinished);
  EXPECT_EQ(b.status, core::RunStatus::kIncomplete);
  EXPECT_EQ(*a.batch_per_device.value, 32);
  EXPECT_EQ(*b.batch_per_device.value, 128);
  EXPECT_EQ(*a.precision.value, "fp32");
  EXPECT_EQ(a.precision.source, Source::kInferred);
  EXPECT_EQ(*b.precision.value, "amp");
  ASSERT_EQ(a.epochs.size(), 1u);
  EXPECT_NEAR(*a.epochs[0].top1, 0.52, 1e-12);
  EXPECT_TRUE(b.epochs.empty());
  EXPECT_NEAR(*a.derived.total_ips, 320.0, 1e-6);
  EXPECT_NEAR(*b.derived.total_ips, 640.0, 1e-6);
  EXPECT_FALSE(b.end_time);
  EXPECT_FALSE(b.derived.wall_time_s);
  EXPECT_EQ(metric_points(b, "train.loss", "iter").size(), 3u);  // nothing leaked from run 1
}

TEST(NgcStdoutFixture, TruncatedRunIsIncompleteWithDiagnostic) {
  const ParsedFile pf = kNgcStdout.parse_fixture("truncated_run.log");
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.status, core::RunStatus::kIncomplete);
  EXPECT_EQ(r.epochs.size(), 1u);
  EXPECT_EQ(*r.epochs_completed, 1);
  EXPECT_NE(warning_at(pf, 10), nullptr);
  EXPECT_EQ(count_warnings(pf), 1u);
  // The half-written line still names its step and its complete metrics.
  const auto loss = metric_points(r, "train.loss", "iter");
  ASSERT_EQ(loss.size(), 5u);
  EXPECT_EQ(*loss.back()->step, 30);
  EXPECT_NEAR(loss.back()->value, 5.60110, 1e-12);
}

TEST(NgcStdoutFixture, GarbageLinesBecomeDiagnosticsNotCrashes) {
  const ParsedFile pf = kNgcStdout.parse_fixture("garbage.log");
  for (int64_t line : {4, 5, 6, 8, 9, 14}) EXPECT_NE(warning_at(pf, line), nullptr) << line;
  EXPECT_EQ(count_warnings(pf), 6u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.status, core::RunStatus::kFinished);
  EXPECT_EQ(r.find_param("data")->value, "/data/my imagenet");
  EXPECT_EQ(r.find_param("pretrained_weights")->value, "");
  // No world_size PARAMETER and distributed False: one device, inferred.
  EXPECT_EQ(*r.world_size.value, 1);
  EXPECT_EQ(r.world_size.source, Source::kInferred);
  EXPECT_EQ(*r.global_batch.value, 32);
  EXPECT_EQ(*r.precision.value, "fp32");

  const auto ips = metric_points(r, "train.total_ips", "iter");
  ASSERT_EQ(ips.size(), 2u);                                     // iteration 6 logged inf
  EXPECT_EQ(metric_points(r, "train.loss", "iter").size(), 1u);  // 5 has no value, 6 is nan
  EXPECT_NEAR(*r.derived.total_ips, 32.0, 1e-6);                 // iterations 4..6 in 2 s

  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].key, "warmup_done");
  EXPECT_EQ(nlohmann::json::parse(r.events[0].value_json),
            nlohmann::json({{"seconds", 12.5}, {"phase", "warm"}}));
  EXPECT_EQ(r.events[1].key, "Calibration");
  EXPECT_EQ(nlohmann::json::parse(r.events[1].value_json),
            nlohmann::json({{"iteration", 3}, {"calib.loss", 0.5}}));
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_NEAR(*r.epochs[0].top1, 0.2, 1e-12);
}

TEST(NgcStdoutFixture, EmptyAndUnrelatedInputGiveNoRuns) {
  for (std::string_view text :
       {std::string_view(""), std::string_view("\n\n"), std::string_view("hello\nDLL\nDLL 2\n")}) {
    const ParsedFile pf = kNgcStdout.parse_text(text);
    EXPECT_TRUE(pf.runs.empty());
  }
  EXPECT_EQ(kNgcStdout.sniff("just text\nDLL is a library\n"), 0);
}

TEST(NgcStdoutFixture, TimestampWithUtcOffset) {
  const ParsedFile pf = kNgcStdout.parse_text(
      "DLL 2026-11-21 12:00:05.000000+02:00 - Epoch: 0 Iteration: 1  train.loss : 1.0  \n");
  ASSERT_EQ(pf.runs.size(), 1u);
  EXPECT_DOUBLE_EQ(*pf.runs[0].start_time, kT0 + 5 - 7200);
}

TEST(NgcStdoutFixture, CrlfLinesAndGluedTimestampPrefix) {
  const ParsedFile pf = kNgcStdout.parse_text(
      "DLL 2026-11-21 12:00:00.000000 - PARAMETER batch_size : 16  world_size : 2 \r\n"
      "Sat Nov 21 12:00:01 2026DLL 2026-11-21 12:00:01.000000 - Epoch: 0 Iteration: 1  "
      "train.loss : 2.0  train.total_ips : 30.00 img/s\r\n"
      "DLL 2026-11-21 12:00:02 - Epoch: 0 Iteration: 2  train.loss : 1.0  \r\n"
      "DLL 2026-11-21 12:00:03 - Summary:\r\n");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.find_param("world_size")->value, "2");
  EXPECT_EQ(*r.global_batch.value, 32);
  EXPECT_EQ(metric_points(r, "train.loss", "iter").size(), 2u);
  EXPECT_EQ(metric_points(r, "train.total_ips", "iter").size(), 1u);
  EXPECT_NEAR(*r.derived.total_ips, 32.0, 1e-9);
  EXPECT_EQ(r.status, core::RunStatus::kFinished);
  EXPECT_DOUBLE_EQ(*r.end_time, kT0 + 3);
}

TEST(NgcStdoutFixture, NonUtf8BytesBecomeValidUtf8) {
  // Latin-1 bytes (0xE9) in a path, a metric key and a bare step; a lone 0x80 in a bad line.
  const ParsedFile pf = kNgcStdout.parse_text(
      "DLL 2026-11-21 12:00:00.000000 - PARAMETER data : /donn\xe9"
      "es  batch_size : 8 \n"
      "DLL 2026-11-21 12:00:01.000000 - Epoch: 0 Iteration: 1  caf\xe9 : 1.0  \n"
      "DLL 2026-11-21 12:00:02.000000 - \xe9tape  x : 2.0  \n"
      "DLL 2026-11-21 12:00:0\x80 - Epoch: 0 Iteration: 2  train.loss : 1.0  \n");
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.find_param("data")->value,
            "/donn\xc3\xa9"
            "es");
  EXPECT_EQ(metric_points(r, "caf\xc3\xa9", "iter").size(), 1u);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].key, "\xc3\xa9tape");
  ASSERT_EQ(count_warnings(pf), 1u);
  for (const auto& d : pf.diagnostics) EXPECT_TRUE(is_valid_utf8(d.message)) << d.message;
}

TEST(NgcStdoutFixture, EveryPrefixParses) {
  const std::string c = core::read_file(kNgcStdout.fixture("current_dle.log"));
  for (size_t n = 0; n <= c.size(); n += 7)
    EXPECT_NO_THROW(kNgcStdout.parse_text(std::string_view(c).substr(0, n)));
}

TEST(NgcCommon, MetricKeysOfOlderVersions) {
  EXPECT_EQ(ngc::canonical_metric_key("lr"), "train.lr");
  EXPECT_EQ(ngc::canonical_metric_key("val.top1"), "val.top1");
}

}  // namespace
}  // namespace rn50::parsers
