// torchvision references/classification train.py logs: the three real runs of the corpus
// (numbers from its EXPECTED.md) and fixtures for EMA, 8 ranks, an older tab-delimited version
// with " * Acc@1" results and a resumed run appended to the same file.
#include <gtest/gtest.h>

#include <cmath>

#include "parser_test_util.h"
#include "parsers/parser.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::RunStatus;
using core::Source;
using testing::metric_points;

constexpr testing::FormatUnderTest kTv(make_torchvision_parser, "torchvision-references",
                                       "torchvision-references");

// Mean of the logged per-rank img/s of one epoch's lines, and how many lines there are.
std::pair<double, size_t> rank_ips(const core::RunRecord& r, int epoch) {
  double sum = 0;
  size_t n = 0;
  for (const auto* p : metric_points(r, "train.rank_ips", "iter"))
    if (*p->epoch == epoch) {
      sum += p->value;
      ++n;
    }
  return {n ? sum / static_cast<double>(n) : 0.0, n};
}

TEST(Torchvision, CorpusTwoEpochs) {
  RN50_REQUIRE_CORPUS();
  const auto pf = kTv.parse_corpus("tvref_resnet18_2ep_b32.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto& r = pf.runs[0];
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.world_size.value, 1);
  EXPECT_EQ(*r.batch_per_device.value, 32);
  EXPECT_EQ(*r.epochs_planned.value, 2);
  EXPECT_EQ(r.find_param("model")->value, "resnet18");
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 13.2);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top5, 59.4);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top1, 38.8);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top5, 95.4);
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 38.8);
  EXPECT_EQ(*r.derived.best_top1_epoch, 1);
  EXPECT_EQ(*r.epochs_completed, 2);
  EXPECT_DOUBLE_EQ(*r.derived.wall_time_s, 19.0);  // Training time 0:00:19
  const auto [e0, n0] = rank_ips(r, 0);
  const auto [e1, n1] = rank_ips(r, 1);
  EXPECT_EQ(n0, 7u);
  EXPECT_EQ(n1, 7u);
  EXPECT_NEAR(e0, 217.48, 0.005);
  EXPECT_NEAR(e1, 221.70, 0.005);
  // Ours: 2 epochs x 63 iterations x 32 images x 1 rank / (9 + 9) s; never the img/s mean.
  EXPECT_DOUBLE_EQ(*r.derived.total_ips, 224.0);
  EXPECT_NE(r.derived.total_ips_definition.find("Total time"), std::string::npos);
  EXPECT_FALSE(r.derived.compute_ips.has_value());
  EXPECT_DOUBLE_EQ(*r.epochs[1].train_loss, 2.069);  // the epoch's running mean, last line
}

TEST(Torchvision, CorpusTwoRanksUnderTorchrunTee) {
  RN50_REQUIRE_CORPUS();
  const auto pf = kTv.parse_corpus("tvref_resnet18_2rank_torchrun_tee.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.world_size.value, 2);
  EXPECT_EQ(*r.global_batch.value, 64);
  EXPECT_EQ(r.find_param("log.ranks_seen")->value, "2");
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 12.4);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top5, 59.8);
  EXPECT_DOUBLE_EQ(*r.derived.wall_time_s, 12.0);
  const auto [mean, n] = rank_ips(r, 0);
  EXPECT_EQ(n, 4u);
  EXPECT_NEAR(mean, 85.40, 0.005);
  EXPECT_NEAR(*r.derived.total_ips, 32.0 * 32.0 * 2.0 / 11.0, 1e-9);
}

TEST(Torchvision, CorpusInterruptedInEpochOne) {
  RN50_REQUIRE_CORPUS();
  const auto pf = kTv.parse_corpus("tvref_resnet18_interrupted_epoch1.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);  // the traceback is not ours to parse
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(r.status, RunStatus::kIncomplete);
  EXPECT_EQ(*r.epochs_completed, 1);
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 19.0);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top5, 58.2);
  EXPECT_FALSE(r.derived.wall_time_s.has_value());
  EXPECT_EQ(rank_ips(r, 0).second, 7u);
  EXPECT_NEAR(rank_ips(r, 0).first, 204.74, 0.005);
  EXPECT_EQ(rank_ips(r, 1).second, 3u);
  EXPECT_NEAR(rank_ips(r, 1).first, 190.87, 0.005);
  EXPECT_DOUBLE_EQ(*r.derived.total_ips, 224.0);  // the one epoch with a Total time
}

TEST(Torchvision, EmaEightRanksAndDays) {
  const auto pf = kTv.parse_fixture("ema_8ranks_3ep.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.world_size.value, 8);
  EXPECT_EQ(*r.global_batch.value, 256);
  EXPECT_EQ(*r.precision.value, "amp");
  EXPECT_EQ(r.find_param("log.ranks_seen")->value, "8");
  EXPECT_EQ(r.find_param("output_dir")->value, "/out/r50 'v2'");  // the repr decoded
  ASSERT_EQ(r.epochs.size(), 3u);
  EXPECT_DOUBLE_EQ(*r.epochs[2].top1, 60.5);  // the model's, not the EMA's
  EXPECT_EQ(metric_points(r, "val_ema.top1", "epoch").size(), 3u);
  EXPECT_DOUBLE_EQ(metric_points(r, "val_ema.top1", "epoch")[2]->value, 61.0);
  EXPECT_EQ(metric_points(r, "val_ema.top1", "val_iter").size(), 6u);
  EXPECT_DOUBLE_EQ(*r.derived.wall_time_s, 86400.0 + 57.0);  // "1 day, 0:00:57"
  EXPECT_NEAR(*r.derived.total_ips, 3 * 10 * 32 * 8 / 57.0, 1e-9);
  EXPECT_EQ(metric_points(r, "train.max_mem_mb", "iter").size(), 15u);
}

TEST(Torchvision, OlderTabVersionResumedIntoTheSameFile) {
  const auto pf = kTv.parse_fixture("old_tab_star_resumed.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 0.5);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top1, 1.0);  // the repeated epoch's last result
  EXPECT_DOUBLE_EQ(*r.epochs[1].train_loss, 6.7);
  EXPECT_EQ(metric_points(r, "train.loss", "iter").size(), 9u);
  EXPECT_TRUE(metric_points(r, "train.rank_ips", "iter").empty());  // no img/s meter then
  EXPECT_EQ(*r.epochs_completed, 2);
  EXPECT_NEAR(*r.derived.total_ips, 2 * 3 * 64 / 4.0, 1e-9);
}

TEST(Torchvision, MalformedLinesAreDiagnosed) {
  const auto pf = kTv.parse_text(
      "Epoch: [0]  [ 0/10]  eta: 0:00:01  lr: 0.1  img/s: 10.0  loss: 1.0 (1.0)\n"
      "Epoch: [0]  [ 2/10]  eta: 0:00:01  lr: 0.1  img/s: ten  loss: 1.0 (1.0)\n"
      "Epoch: [0]  [ 4/1\n"
      "Test:  Acc@1 abc Acc@5 1\n"
      "Epoch: [99999999999999999999]  [ 0/10]  eta: 0:00:01  loss: 1.0 (1.0)\n"
      "Training time 12 minutes\n");
  ASSERT_EQ(pf.runs.size(), 1u);
  for (int64_t line : {2, 3, 4, 5, 6}) EXPECT_NE(testing::warning_at(pf, line), nullptr) << line;
  EXPECT_EQ(metric_points(pf.runs[0], "train.loss", "iter").size(), 1u);
  EXPECT_EQ(pf.runs[0].status, RunStatus::kIncomplete);
}

TEST(Torchvision, SniffIsNotPytorchExamples) {
  EXPECT_EQ(kTv.sniff("Epoch: [0][   10/10010]\tTime  0.361 ( 1.124)\tData  0.000 ( 0.324)\t"
                      "Loss 8.9189e+00 (8.6557e+00)\n * Acc@1 75.748 Acc@5 92.800\n"),
            0);
  EXPECT_EQ(kTv.sniff("Epoch: [0]  [ 0/63]  eta: 0:00:19  lr: 0.1  loss: 2.5915 (2.5915)\n"), 90);
  EXPECT_EQ(kTv.sniff("Test:  Acc@1 76.130 Acc@5 92.862\n"), 70);
}

}  // namespace
}  // namespace rn50::parsers
