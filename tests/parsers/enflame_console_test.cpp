// Enflame train.py console logs: the real one-process run of the corpus (numbers from its
// EXPECTED.md) and fixtures built from the writer's source (make_fixtures.py): eight interleaved
// ranks, the same log cut in the middle, a resumed run with a cut last line.
#include <gtest/gtest.h>

#include <cmath>

#include "core/file_util.h"
#include "parser_test_util.h"
#include "parsers/parser.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::RunStatus;
using core::Source;
using testing::metric_points;

constexpr testing::FormatUnderTest kConsole(make_enflame_console_parser, "enflame-console",
                                            "enflame-console");

TEST(EnflameConsole, CorpusOneProcessTwoEpochs) {
  RN50_REQUIRE_CORPUS();
  const auto pf = kConsole.parse_corpus("enflame_train_resnet50_1proc_2ep.log");
  EXPECT_EQ(pf.format, "enflame-console");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto& r = pf.runs[0];
  EXPECT_EQ(r.status, RunStatus::kFinished);  // the Final report is there
  EXPECT_EQ(*r.world_size.value, 1);          // one [T pid], "Not using distributed mode"
  EXPECT_EQ(r.world_size.source, Source::kLog);
  EXPECT_EQ(*r.batch_per_device.value, 8);
  EXPECT_EQ(*r.epochs_planned.value, 2);
  EXPECT_EQ(*r.precision.value, "fp32");
  // 8 [Model_Train] lines, 4 per epoch; the last one epoch 1, local_step 20.
  const auto loss = metric_points(r, "train.loss", "iter");
  ASSERT_EQ(loss.size(), 8u);
  EXPECT_EQ(*loss.back()->epoch, 1);
  EXPECT_EQ(*loss.back()->step, 20);
  EXPECT_DOUBLE_EQ(loss.back()->value, 10.40744686126709);
  EXPECT_EQ(metric_points(r, "train.top1", "iter").size(), 8u);
  // Evaluations, each epoch once although two summaries are logged per epoch.
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 10.0);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top5, 52.5);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top1, 0.0);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top5, 50.0);
  EXPECT_EQ(metric_points(r, "val.top1", "epoch").size(), 2u);
  EXPECT_EQ(*r.epochs_completed, 2);
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 10.0);
  EXPECT_EQ(*r.derived.best_top1_epoch, 0);
  EXPECT_DOUBLE_EQ(*r.derived.last_top1, 0.0);
  // The Final report, as it states its values.
  EXPECT_DOUBLE_EQ(*r.derived.summary_top1, 10.0);
  EXPECT_DOUBLE_EQ(*r.derived.summary_top5, 52.5);
  EXPECT_DOUBLE_EQ(*r.derived.summary_total_ips, 3.5147885849331035);
  EXPECT_EQ(r.find_param("report.train_fps_min")->value, "3.461518956116543");
  EXPECT_EQ(r.find_param("report.train_fps_max")->value, "3.5586775677276963");
  EXPECT_EQ(r.find_param("report.skip_steps")->value, "2");
  EXPECT_EQ(r.find_param("report.training_time")->value, "0:01:41");
  EXPECT_DOUBLE_EQ(*r.derived.wall_time_s, 101.0);  // training_time, str(timedelta)
  // Ours: 8 x 20 images over the 4 timed pairs after skip_steps 2 x print_freq 5 steps.
  ASSERT_TRUE(r.derived.total_ips.has_value());
  EXPECT_NEAR(*r.derived.total_ips, 160.0 / 45.494, 1e-6);
  EXPECT_NE(r.derived.total_ips_definition.find("sum over 1 process"), std::string::npos);
  EXPECT_FALSE(r.derived.compute_ips.has_value());
  EXPECT_EQ(r.find_param("model")->value, "resnet50");
}

TEST(EnflameConsole, EightInterleavedRanksAreOneRun) {
  const auto pf = kConsole.parse_fixture("eight_ranks_2ep.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto& r = pf.runs[0];
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.world_size.value, 8);
  EXPECT_EQ(r.world_size.source, Source::kLog);  // Namespace world_size, distributed=True
  EXPECT_EQ(r.find_param("log.processes")->value, "8");
  EXPECT_EQ(*r.batch_per_device.value, 256);
  EXPECT_EQ(*r.global_batch.value, 2048);
  EXPECT_EQ(*r.precision.value, "amp");
  // One process's series, never a mix of ranks: 4 train lines per epoch.
  EXPECT_EQ(metric_points(r, "train.loss", "iter").size(), 8u);
  EXPECT_EQ(metric_points(r, "val.top1", "val_iter").size(), 2u);
  // 32 epoch summaries (2 kinds x 8 ranks x 2 epochs) make 2 epochs.
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_EQ(metric_points(r, "val.top1", "epoch").size(), 2u);
  EXPECT_EQ(metric_points(r, "val.loss", "epoch").size(), 2u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 71.234);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top1, 75.91);
  EXPECT_EQ(*r.epochs_completed, 2);
  EXPECT_EQ(*r.derived.target_epoch, 1);
  // The final report's values.
  EXPECT_DOUBLE_EQ(*r.derived.summary_top1, 75.91);
  EXPECT_DOUBLE_EQ(*r.derived.summary_top5, 92.75);
  EXPECT_DOUBLE_EQ(*r.derived.wall_time_s, 86.0);
  EXPECT_EQ(r.find_param("report.train_fps_mean")->value, "256.0");
  // One card's fps is not the 8-card run's summary throughput.
  EXPECT_FALSE(r.derived.summary_total_ips.has_value());
  // All ranks' sum: each rank k logs 10 steps of 256 images per 10 + 0.01 k seconds.
  double expected = 0;
  for (int k = 0; k < 8; ++k) expected += 2560.0 / (10.0 + 0.01 * k);
  ASSERT_TRUE(r.derived.total_ips.has_value());
  EXPECT_NEAR(*r.derived.total_ips, expected, 1e-3);
  EXPECT_NE(r.derived.total_ips_definition.find("sum over 8 process"), std::string::npos);
  EXPECT_NE(r.derived.total_ips_definition.find("skip_steps 1 x print_freq 10"), std::string::npos);
}

TEST(EnflameConsole, CutInTheMiddleIsIncompleteWithTheEpochsItHas) {
  const std::string text = core::read_file(kConsole.fixture("eight_ranks_2ep.log"));
  const size_t at = text.find("[Model_Train] epoch: 1; local_step: 30");
  ASSERT_NE(at, std::string::npos);
  const std::string cut = text.substr(0, text.rfind('\n', at) + 1);
  const auto pf = kConsole.parse_text(cut);
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto& r = pf.runs[0];
  EXPECT_EQ(r.status, RunStatus::kIncomplete);
  EXPECT_EQ(*r.world_size.value, 8);
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 71.234);
  EXPECT_EQ(*r.epochs_completed, 1);
  EXPECT_FALSE(r.derived.summary_top1.has_value());
  EXPECT_FALSE(r.derived.wall_time_s.has_value());
  EXPECT_FALSE(r.end_time.has_value());
  // Cut inside the report: still not finished, and said.
  const size_t report = text.find("\"acc5_best\"");
  const auto in_report = kConsole.parse_text(text.substr(0, report));
  EXPECT_EQ(in_report.runs.at(0).status, RunStatus::kIncomplete);
  EXPECT_EQ(in_report.runs.at(0).epochs.size(), 2u);
  EXPECT_NE(testing::warning_at(in_report, 177), nullptr);  // the "Final report:" line
}

TEST(EnflameConsole, ResumedRunTensorAccuracyGluedLineAndCutEnd) {
  const auto pf = kConsole.parse_fixture("one_rank_resumed_cut.log");
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto& r = pf.runs[0];
  EXPECT_EQ(r.status, RunStatus::kIncomplete);
  EXPECT_EQ(*r.world_size.value, 1);
  EXPECT_EQ(*r.precision.value, "fp32");
  EXPECT_EQ(r.precision.source, Source::kInferred);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].key, "load_checkpoint");
  EXPECT_EQ(r.events[0].value_json, "\"ck/checkpoint.pth\"");
  const auto top1 = metric_points(r, "train.top1", "iter");
  ASSERT_EQ(top1.size(), 3u);              // the line glued to "Took " counts too
  EXPECT_DOUBLE_EQ(top1[1]->value, 50.0);  // tensor(50.0000, device='gcu:0')
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_EQ(r.epochs[0].epoch, 3);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 61.5);
  EXPECT_EQ(*r.epochs_completed, 1);
  EXPECT_NE(testing::warning_at(pf, 10), nullptr);  // the cut last line
  // skip_steps 0: pairs 2->4 and 4->6, 4 s each: 4 x 64 images / 8 s.
  EXPECT_NEAR(*r.derived.total_ips, 32.0, 1e-9);
}

TEST(EnflameConsole, UserFactsAndWrongCounts) {
  core::DeriveOptions opt;
  opt.sets["world_size"] = "16";  // a per-node log of a two-node run
  const auto pf = kConsole.parse_fixture("eight_ranks_2ep.log", opt);
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(*r.world_size.value, 16);
  EXPECT_EQ(r.world_size.source, Source::kUser);
  EXPECT_FALSE(r.derived.total_ips.has_value());  // 8 processes of 16: no global sum
  EXPECT_NE(r.derived.total_ips_definition.find("8 training processes"), std::string::npos);
  const auto bad = kConsole.parse_text(
      "Namespace(batch_size=0, epochs=1e300, world_size=-1, distributed=True)\n"
      "2024-08-03 10:00:00,000: D [M APP] [T 1] train.py:107 : [Model_Train] epoch: "
      "99999999999999999999; local_step: 5; loss: 1.0\n"
      "2024-08-03 10:00:01,000: D [M APP] [T 1] train.py:107 : [Model_Train] epoch: 0; "
      "local_step: 5; loss: 1.0\n");
  ASSERT_EQ(bad.runs.size(), 1u);
  EXPECT_FALSE(bad.runs[0].batch_per_device.known());
  EXPECT_FALSE(bad.runs[0].epochs_planned.known());
  EXPECT_EQ(*bad.runs[0].world_size.value, 1);  // Namespace's -1 refused: the one process
  EXPECT_EQ(bad.runs[0].world_size.source, Source::kInferred);
  EXPECT_NE(testing::warning_at(bad, 2), nullptr);
}

TEST(EnflameConsole, SniffClaimsOnlyTrainPyLines) {
  EXPECT_EQ(kConsole.sniff(""), 0);
  EXPECT_EQ(kConsole.sniff("2024-08-03 10:00:00,000: D [M APP] [T 1] train.py:107 : "
                           "[Model_Train] epoch: 0; local_step: 5\n"),
            90);
  // The house format without train.py's messages is another TopsModels tool.
  EXPECT_EQ(kConsole.sniff("2024-08-03 10:00:00,000: D [M APP] [T 1] pipe.py:1 : loading\n"), 40);
  EXPECT_EQ(kConsole.sniff("{\"acc1_best\": 1, \"train_fps_mean\": 2}"), 0);
}

}  // namespace
}  // namespace rn50::parsers
