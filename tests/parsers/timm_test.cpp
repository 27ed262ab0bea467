// timm: the real summary.csv files of the corpus with their args yaml (numbers from its
// EXPECTED.md), a current-timm summary.csv (CRLF, lr column, resumed), and consoles of both eras.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/file_util.h"
#include "parser_test_util.h"
#include "parsers/parser.h"
#include "parsers/timm_args.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::RunStatus;
using core::Source;
using testing::metric_points;

constexpr testing::FormatUnderTest kTimm(make_timm_parser, "timm", "timm");

const core::MetricPoint* last_point(const core::RunRecord& r, std::string_view key) {
  const auto points = metric_points(r, key, "epoch");
  return points.empty() ? nullptr : points.back();
}

TEST(Timm, CorpusSummary100Epochs) {
  RN50_REQUIRE_CORPUS();
  const auto pf = kTimm.parse_corpus("summary_res50_100.csv");
  EXPECT_TRUE(pf.diagnostics.empty());
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto& r = pf.runs[0];
  ASSERT_EQ(r.epochs.size(), 110u);
  EXPECT_EQ(r.epochs.front().epoch, 0);
  EXPECT_EQ(r.epochs.back().epoch, 109);
  EXPECT_EQ(*r.epochs_completed, 110);
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 78.1760000830078);
  EXPECT_EQ(*r.derived.best_top1_epoch, 106);
  EXPECT_DOUBLE_EQ(*r.epochs[106].top5, 93.84400001464844);
  EXPECT_DOUBLE_EQ(*r.derived.best_top5, 93.84400001464844);
  EXPECT_DOUBLE_EQ(*r.derived.last_top1, 78.07000000488281);
  EXPECT_DOUBLE_EQ(*r.epochs.back().top5, 93.81399993652344);
  EXPECT_DOUBLE_EQ(*r.epochs.back().train_loss, 0.0028225835911663516);
  EXPECT_DOUBLE_EQ(last_point(r, "val.loss")->value, 0.9019365625);
  EXPECT_EQ(metric_points(r, "val.top1", "epoch").size(), 110u);
  // No time, no throughput, no facts: the CSV does not state them.
  EXPECT_FALSE(r.derived.total_ips.has_value());
  EXPECT_FALSE(r.batch_per_device.known());
  EXPECT_FALSE(r.world_size.known());
  EXPECT_EQ(r.status, RunStatus::kIncomplete);  // a CSV has no end record
}

TEST(Timm, CorpusSummary200EpochsWithItsArgs) {
  RN50_REQUIRE_CORPUS();
  const auto csv = kTimm.corpus("summary_res50_200.csv");
  auto pf = kTimm.parse_file(csv);
  ASSERT_EQ(pf.runs.size(), 1u);
  auto& r = pf.runs[0];
  ASSERT_EQ(r.epochs.size(), 210u);
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 79.65000003417968);
  EXPECT_EQ(*r.derived.best_top1_epoch, 209);
  EXPECT_DOUBLE_EQ(*r.epochs[209].top5, 94.51399993408204);
  EXPECT_DOUBLE_EQ(*r.derived.best_top5, 94.55400003662109);
  EXPECT_DOUBLE_EQ(*r.derived.last_top1, 79.65000003417968);
  EXPECT_DOUBLE_EQ(*r.epochs.back().train_loss, 0.002461412771871047);
  EXPECT_DOUBLE_EQ(last_point(r, "val.loss")->value, 0.85889765625);

  const auto args = find_timm_args(csv);
  ASSERT_TRUE(args.has_value());
  EXPECT_EQ(args->filename(), "args_res50_200.yaml");
  const auto warnings = apply_timm_args(r, core::read_file(*args), "args_res50_200.yaml");
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(*r.batch_per_device.value, 256);
  EXPECT_EQ(r.batch_per_device.source, Source::kLog);
  EXPECT_EQ(*r.epochs_planned.value, 210);  // 200 + 10 cooldown epochs of the cosine schedule
  EXPECT_EQ(r.epochs_planned.source, Source::kInferred);
  EXPECT_EQ(*r.precision.value, "amp");
  EXPECT_FALSE(r.world_size.known());  // not in either file: --set world_size=8
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(r.find_param("args.model")->value, "resnet50");
  EXPECT_EQ(r.find_param("args.opt")->value, "adan");
  EXPECT_EQ(r.find_param("args.opt_betas")->value, "[0.98, 0.92, 0.99]");
}

TEST(Timm, CurrentSummaryCrlfResumedWithArgs) {
  const auto csv = kTimm.fixture("summary.csv");
  auto pf = kTimm.parse_file(csv);
  EXPECT_EQ(testing::count_warnings(pf), 0u);  // the repeated header is the same header
  ASSERT_EQ(pf.runs.size(), 1u);
  auto& r = pf.runs[0];
  ASSERT_EQ(r.epochs.size(), 4u);
  EXPECT_DOUBLE_EQ(*r.epochs[2].top1, 19.5);  // epoch 2 again after the restart: the last row
  EXPECT_DOUBLE_EQ(*r.epochs[2].lr, 0.0007);
  EXPECT_EQ(metric_points(r, "train.lr", "epoch").size(), 4u);
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 27.125);
  const auto args = find_timm_args(csv);
  ASSERT_TRUE(args.has_value());
  EXPECT_EQ(args->filename(), "args.yaml");
  EXPECT_TRUE(apply_timm_args(r, core::read_file(*args), "args.yaml").empty());
  EXPECT_EQ(*r.batch_per_device.value, 128);
  EXPECT_EQ(*r.epochs_planned.value, 4);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(r.find_param("args.output")->value, "out: 'resnet50'");
  EXPECT_EQ(r.find_param("args.mean")->value, "[0.485, 0.456, 0.406]");
  EXPECT_EQ(r.find_param("args.lr")->value, "null");
}

TEST(Timm, ArgsProblemsAreWarningsAndUserFactsStay) {
  core::RunRecord r;
  r.batch_per_device.set(64, Source::kUser);
  const auto w = apply_timm_args(r,
                                 "batch_size: 256\nepochs: many\nsched: cosine\nlr_cycle_limit: 2\n"
                                 "amp: false\n",
                                 "args.yaml");
  EXPECT_EQ(*r.batch_per_device.value, 64);
  EXPECT_FALSE(r.epochs_planned.known());  // not a count; two cycles are not epochs + cooldown
  EXPECT_EQ(*r.precision.value, "fp32");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "args.yaml:2: epochs: 'many' is not an integer");
  EXPECT_FALSE(apply_timm_args(r, "", "x.yaml").empty());
}

TEST(Timm, ConsoleEightGpusWithEma) {
  const auto pf = kTimm.parse_fixture("console_8gpu_ema.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.world_size.value, 8);
  EXPECT_EQ(*r.epochs_planned.value, 2);
  EXPECT_EQ(*r.precision.value, "amp");
  EXPECT_EQ(r.find_param("model")->value, "resnet50");
  ASSERT_EQ(r.epochs.size(), 2u);
  // The epoch's result is the EMA's when there is one, as timm's summary.csv takes it.
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 11.0);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top1, 31.0);
  EXPECT_DOUBLE_EQ(metric_points(r, "val.top1", "epoch")[1]->value, 30.0);
  EXPECT_EQ(metric_points(r, "train.total_ips", "iter").size(), 6u);
  EXPECT_FALSE(r.derived.total_ips.has_value());  // no throughput of the run
  EXPECT_EQ(metric_points(r, "val_ema.top1", "val_iter").size(), 4u);
}

TEST(Timm, ConsoleInterruptedStillPrintsTheBestMetric) {
  const auto pf = kTimm.parse_fixture("console_interrupted.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(r.status, RunStatus::kIncomplete);  // 3 scheduled, 1 evaluated
  EXPECT_EQ(*r.world_size.value, 1);
  EXPECT_EQ(*r.precision.value, "fp32");
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 0.625);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top5, 2.9);
  EXPECT_EQ(*r.epochs_completed, 1);
}

TEST(Timm, MalformedRowsAreDiagnosed) {
  const auto pf = kTimm.parse_text(
      "epoch,train_loss,eval_top1\n0,1.0,5.0\n1,x,6.0\n2,1.0\n1e300,1.0,7.0\n3,0.5,8.0\n");
  ASSERT_EQ(pf.runs.size(), 1u);
  EXPECT_EQ(pf.runs[0].epochs.size(), 2u);
  for (int64_t line : {3, 4, 5}) EXPECT_NE(testing::warning_at(pf, line), nullptr) << line;
}

TEST(Timm, SniffHeaderOrConsole) {
  EXPECT_EQ(kTimm.sniff("epoch,train_loss,eval_loss,eval_top1,eval_top5\n0,1,2,3,4\n"), 90);
  EXPECT_EQ(kTimm.sniff("epoch,a,b\n0,1,2\n"), 0);  // some other CSV
  EXPECT_EQ(kTimm.sniff("aa: rand\namp: true\n"), 0);
  EXPECT_EQ(kTimm.sniff("Test: [ 10/196]\tTime  0.221 ( 0.972)\tLoss 1.0587e+00 (6.8706e-01)\n"),
            0);  // pytorch/examples
}

}  // namespace
}  // namespace rn50::parsers
