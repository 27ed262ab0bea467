// tf_cnn_benchmarks: the two real Lambda logs of the corpus (numbers from its EXPECTED.md) and
// fixtures for accuracy columns, a run that died before its total, and evaluation mode.
#include <gtest/gtest.h>

#include "parser_test_util.h"
#include "parsers/parser.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::RunStatus;
using core::Source;
using testing::metric_points;

constexpr testing::FormatUnderTest kTf(make_tf_cnn_benchmarks_parser, "tf-cnn-benchmarks",
                                       "tf-cnn-benchmarks");

struct Expected {
  const char* file;
  int64_t global, per_device;
  double first_loss, last_loss, last_step_ips, total, wall;
};

TEST(TfCnnBenchmarks, CorpusLambdaLogs) {
  RN50_REQUIRE_CORPUS();
  for (const Expected& x :
       {Expected{"3970X-Radeon-VII-Pro-PCIEGen3__syn-replicated-fp16-2gpus__resnet50-192.log", 384,
                 192, 7.861, 7.724, 627.1, 627.01, 60},
        Expected{"7502-A100-PCIE-40GB__syn-replicated-fp16-2gpus__resnet50-448.log", 896, 448,
                 7.880, 7.542, 4084.4, 4083.00, 21}}) {
    SCOPED_TRACE(x.file);
    const auto pf = kTf.parse_corpus(x.file);
    EXPECT_EQ(testing::count_warnings(pf), 0u);  // the TensorFlow warnings are skipped
    ASSERT_EQ(pf.runs.size(), 1u);
    const auto& r = pf.runs[0];
    EXPECT_EQ(r.status, RunStatus::kFinished);
    EXPECT_EQ(*r.global_batch.value, x.global);
    EXPECT_EQ(*r.batch_per_device.value, x.per_device);
    EXPECT_EQ(*r.world_size.value, 2);
    EXPECT_EQ(r.world_size.source, Source::kInferred);
    EXPECT_FALSE(r.precision.known());  // fp16 is only in the folder name
    EXPECT_EQ(r.find_param("model")->value, "resnet50");
    EXPECT_EQ(r.find_param("devices")->value, "['/gpu:0', '/gpu:1']");
    const auto loss = metric_points(r, "train.loss", "iter");
    ASSERT_EQ(loss.size(), 11u);
    EXPECT_EQ(*loss.front()->step, 1);
    EXPECT_EQ(*loss.back()->step, 100);
    EXPECT_DOUBLE_EQ(loss.front()->value, x.first_loss);
    EXPECT_DOUBLE_EQ(loss.back()->value, x.last_loss);
    EXPECT_DOUBLE_EQ(metric_points(r, "train.mean_ips", "iter").back()->value, x.last_step_ips);
    EXPECT_DOUBLE_EQ(*r.derived.total_ips, x.total);
    EXPECT_NE(r.derived.total_ips_definition.find("total images/sec"), std::string::npos);
    EXPECT_DOUBLE_EQ(*r.derived.wall_time_s, x.wall);  // step 1 -> step 100, unix seconds
    EXPECT_FALSE(r.derived.compute_ips.has_value());
  }
}

TEST(TfCnnBenchmarks, AccuracyColumnsAndOldPerDeviceLine) {
  const auto pf = kTf.parse_fixture("real_data_accuracy_columns.log");
  EXPECT_EQ(testing::count_warnings(pf), 0u);
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.global_batch.value, 512);
  EXPECT_EQ(*r.batch_per_device.value, 128);  // "128.0 per device"
  EXPECT_EQ(*r.world_size.value, 4);
  const auto top1 = metric_points(r, "train.top1", "iter");
  ASSERT_EQ(top1.size(), 4u);
  EXPECT_DOUBLE_EQ(top1[3]->value, 3.0);   // printed as a fraction
  EXPECT_FALSE(r.start_time.has_value());  // no unix time on these step lines
  EXPECT_DOUBLE_EQ(*r.derived.total_ips, 1468.75);
}

TEST(TfCnnBenchmarks, DiedBeforeTheTotalIsNotFinished) {
  const auto pf = kTf.parse_fixture("died_before_total.log");
  const auto& r = pf.runs.at(0);
  EXPECT_EQ(r.status, RunStatus::kIncomplete);
  EXPECT_FALSE(r.derived.total_ips.has_value());
  EXPECT_EQ(*r.start_time, 1604000000.0);
  EXPECT_FALSE(r.end_time.has_value());
  EXPECT_EQ(metric_points(r, "train.loss", "iter").size(), 3u);
}

TEST(TfCnnBenchmarks, EvaluationModeIsNoTrainingThroughput) {
  const auto pf = kTf.parse_fixture("evaluation_mode.log");
  const auto& r = pf.runs.at(0);
  EXPECT_FALSE(r.derived.total_ips.has_value());
  EXPECT_NE(r.derived.total_ips_definition.find("evaluation"), std::string::npos);
  EXPECT_DOUBLE_EQ(*r.derived.summary_top1, 76.12);
  EXPECT_DOUBLE_EQ(*r.derived.summary_top5, 92.9);
  EXPECT_EQ(r.find_param("log.total_images_per_sec")->value, "2950.5");
}

TEST(TfCnnBenchmarks, SeveralWorkersTotalsAndBadLines) {
  const auto pf = kTf.parse_text(
      "Batch size:  64 global\n"
      "64 per device\n"
      "1\timages/sec: 100.0 +/- 0.0 (jitter = 0.0)\t7.000\n"
      "10\timages/sec: x +/- 0.0 (jitter = 0.0)\t7.000\n"
      "99999999999999999999\timages/sec: 1.0 +/- 0.0 (jitter = 0.0)\t7.000\n"
      "total images/sec: 100.00\n"
      "total images/sec: 101.00\n");
  const auto& r = pf.runs.at(0);
  EXPECT_FALSE(r.derived.total_ips.has_value());
  EXPECT_NE(r.derived.total_ips_definition.find("2 'total images/sec' lines"), std::string::npos);
  EXPECT_EQ(metric_points(r, "train.total_ips", "summary").size(), 2u);
  EXPECT_NE(testing::warning_at(pf, 4), nullptr);
  EXPECT_NE(testing::warning_at(pf, 5), nullptr);
}

TEST(TfCnnBenchmarks, Sniff) {
  EXPECT_EQ(kTf.sniff("1\timages/sec: 634.5 +/- 0.0 (jitter = 0.0)\t7.861 1597299785\n"), 95);
  EXPECT_EQ(kTf.sniff("Model:       resnet50\nBatch size:  384 global\n"), 60);
  EXPECT_EQ(kTf.sniff("Img/sec per GPU: 300 +-1\n"), 0);
}

}  // namespace
}  // namespace rn50::parsers
