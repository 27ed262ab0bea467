// pytorch/examples main.py parser against the real corpus logs and hand-written fixtures of the
// eras the corpus lacks.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/file_util.h"
#include "parser_test_util.h"
#include "parsers/parser.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::RunStatus;
using core::Source;
using testing::has_diagnostic_at;

constexpr testing::FormatUnderTest kPytorchExamples(make_pytorch_examples_parser,
                                                    "pytorch-examples", "pytorch-examples");

size_t count_metrics(const core::RunRecord& r, std::string_view key, std::string_view level) {
  return std::count_if(r.metrics.begin(), r.metrics.end(), [&](const core::MetricPoint& m) {
    return m.key == key && m.level == level;
  });
}

TEST(PytorchExamples, Tfboyd2019ProgressMeterWindowThroughput) {
  RN50_REQUIRE_CORPUS();
  core::DeriveOptions opt;
  opt.window_first = 30;
  opt.window_last = 210;
  auto f = kPytorchExamples.parse_corpus("tfboyd/worker_0_stdout.2019_progressmeter.txt", opt);
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  EXPECT_EQ(r.source_format, "pytorch-examples");
  EXPECT_EQ(count_metrics(r, "train.batch_time", "iter"), 30u);
  auto steps = std::minmax_element(r.metrics.begin(), r.metrics.end(),
                                   [](const auto& a, const auto& b) { return *a.step < *b.step; });
  EXPECT_EQ(*steps.first->step, 0);
  EXPECT_EQ(*steps.second->step, 290);
  ASSERT_TRUE(r.global_batch.known());
  EXPECT_EQ(*r.global_batch.value, 128);
  ASSERT_TRUE(r.derived.total_ips.has_value());
  EXPECT_NEAR(*r.derived.total_ips, 354.16, 0.05);
  EXPECT_NE(r.derived.total_ips_definition.find("0.361421"), std::string::npos)
      << r.derived.total_ips_definition;
  EXPECT_EQ(r.world_size.value, 1);
  EXPECT_EQ(r.precision.value, "fp32");
  EXPECT_EQ(r.precision.source, Source::kInferred);
  EXPECT_EQ(r.status, RunStatus::kIncomplete);  // 290 of 10010 iterations of its one epoch
  EXPECT_TRUE(r.epochs.empty());
  EXPECT_EQ(r.epochs_completed, 0);
  EXPECT_FALSE(r.start_time.has_value());
  EXPECT_FALSE(r.derived.wall_time_s.has_value());
  EXPECT_FALSE(r.derived.time_to_target_s.has_value());
  ASSERT_TRUE(r.derived.step_time_p50.has_value());
  EXPECT_NEAR(*r.derived.step_time_p50, 0.361, 0.0015);
}

TEST(PytorchExamples, Tfboyd2019BatchAlsoInferableFromIterations) {
  RN50_REQUIRE_CORPUS();
  // Without the echoed command line the batch still follows from 10010 iterations per epoch.
  std::string text =
      core::read_file(kPytorchExamples.corpus("tfboyd/worker_0_stdout.2019_progressmeter.txt"));
  std::string stripped;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos + 1);
    if (line.find("main.py") == std::string::npos) stripped += line;
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  auto f = make_pytorch_examples_parser()->parse(stripped, {});
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  ASSERT_TRUE(r.global_batch.known());
  EXPECT_EQ(*r.global_batch.value, 128);
  EXPECT_EQ(r.global_batch.source, Source::kInferred);
  EXPECT_EQ(r.global_batch.detail, "1281167 / 10010 iterations");
  EXPECT_FALSE(r.world_size.known());
}

TEST(PytorchExamples, Tfboyd2018PrecFormatWindowThroughput) {
  RN50_REQUIRE_CORPUS();
  core::DeriveOptions opt;
  opt.window_first = 11;
  opt.window_last = 101;
  auto f = kPytorchExamples.parse_corpus("tfboyd/worker_0_stdout.2018_prec_format.txt", opt);
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  EXPECT_EQ(count_metrics(r, "train.batch_time", "iter"), 160u);
  EXPECT_EQ(r.find_param("log.iterations_per_epoch")->value, "5005");
  ASSERT_TRUE(r.global_batch.known());
  EXPECT_EQ(*r.global_batch.value, 256);
  EXPECT_EQ(r.global_batch.source, Source::kLog);
  EXPECT_EQ(r.global_batch.detail, "command line in log");
  EXPECT_EQ(r.world_size.value, 4);  // CUDA_VISIBLE_DEVICES=0,1,2,3, DataParallel
  EXPECT_EQ(r.batch_per_device.value, 64);
  ASSERT_TRUE(r.derived.total_ips.has_value());
  EXPECT_NEAR(*r.derived.total_ips, 1123.67, 0.1);
  ASSERT_TRUE(r.derived.compute_ips.has_value());
  EXPECT_GT(*r.derived.compute_ips, *r.derived.total_ips);
  EXPECT_EQ(r.find_param("arch")->value, "resnet50");
  EXPECT_EQ(r.find_param("epochs")->value, "1");
}

TEST(PytorchExamples, DefaultWindowSkipsWarmup) {
  RN50_REQUIRE_CORPUS();
  auto f = kPytorchExamples.parse_corpus("tfboyd/worker_0_stdout.2018_prec_format.txt");
  const auto& r = f.runs[0];
  ASSERT_TRUE(r.derived.total_ips.has_value());
  // Indices 10..159: the 24.7 s first batch is excluded, so the rate is near the steady 1100 img/s.
  EXPECT_GT(*r.derived.total_ips, 1000);
  EXPECT_NE(r.derived.total_ips_definition.find("10..159"), std::string::npos)
      << r.derived.total_ips_definition;
  core::DeriveOptions skip0;
  skip0.skip_steps = 0;
  auto g = kPytorchExamples.parse_corpus("tfboyd/worker_0_stdout.2018_prec_format.txt", skip0);
  EXPECT_LT(*g.runs[0].derived.total_ips, *r.derived.total_ips);
}

TEST(PytorchExamples, EvaluateRunGivesOneEpochRecord) {
  RN50_REQUIRE_CORPUS();
  auto f = kPytorchExamples.parse_corpus("eval/s3_shift_resnet50_eval.excerpt.log");
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_EQ(r.epochs[0].epoch, 0);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 75.748);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top5, 92.800);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 75.748);
  EXPECT_EQ(count_metrics(r, "val.top1", "val_iter"), 20u);
  EXPECT_EQ(count_metrics(r, "val.top1", "epoch"), 1u);
  EXPECT_FALSE(r.derived.total_ips.has_value());
  EXPECT_FALSE(r.derived.time_to_target_s.has_value());  // no timestamps in these logs
}

TEST(PytorchExamples, DlperfInterleavedRanksParse) {
  RN50_REQUIRE_CORPUS();
  for (const char* rel : {"dlperf/pytorch_examples_dali_2n8g.excerpt.log",
                          "dlperf/pytorch_examples_dali_4n8g.excerpt.log"}) {
    SCOPED_TRACE(rel);
    auto f = kPytorchExamples.parse_corpus(rel);
    ASSERT_EQ(f.runs.size(), 1u);
    const auto& r = f.runs[0];
    EXPECT_GT(count_metrics(r, "train.batch_time", "iter"), 5u);
    EXPECT_FALSE(r.world_size.known());  // an excerpt cannot tell how many ranks ran
    EXPECT_FALSE(r.global_batch.known());
    EXPECT_FALSE(r.derived.total_ips.has_value());
    for (const auto& d : f.diagnostics) EXPECT_NE(d.severity, core::Severity::kError) << d.message;
  }
  auto f4 = kPytorchExamples.parse_corpus("dlperf/pytorch_examples_dali_4n8g.excerpt.log");
  ASSERT_NE(f4.runs[0].find_param("log.ranks_seen"), nullptr);
  EXPECT_EQ(f4.runs[0].find_param("log.ranks_seen")->value, "2");  // indices 5..13 then 0..5 again
  // Duplicated iteration indices from different ranks are stored once.
  EXPECT_EQ(count_metrics(f4.runs[0], "train.batch_time", "iter"), 14u);
}

TEST(PytorchExamples, Post2022TwoEpochsWithValidation) {
  core::DeriveOptions opt;
  opt.skip_steps = 2;
  auto f = kPytorchExamples.parse_fixture("post2022_two_epochs.log", opt);
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 12.345);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top5, 31.5);
  EXPECT_DOUBLE_EQ(*r.epochs[0].train_loss, 6.7);
  EXPECT_DOUBLE_EQ(*r.epochs[1].top1, 33.21);
  EXPECT_DOUBLE_EQ(*r.epochs[1].train_loss, 6.1);
  EXPECT_EQ(r.status, RunStatus::kFinished);  // --epochs 2 and epoch 1 was validated
  EXPECT_EQ(r.epochs_completed, 2);
  EXPECT_EQ(*r.derived.best_top1_epoch, 1);
  EXPECT_EQ(*r.global_batch.value, 256);
  // i+1 indexing: steps 1, 3, 5; skip_steps=2 leaves 3 and 5 of both epochs.
  EXPECT_NEAR(*r.derived.total_ips, 256 / 0.855, 1e-6);
  EXPECT_NEAR(*r.derived.compute_ips, 256 / 0.835, 1e-6);
  EXPECT_EQ(count_metrics(r, "val.top1", "val_iter"), 4u);
  auto first_val = std::find_if(r.metrics.begin(), r.metrics.end(),
                                [](const auto& m) { return m.level == "val_iter"; });
  EXPECT_EQ(*first_val->step, 1);
  EXPECT_EQ(*first_val->epoch, 0);

  // Default skip (10) leaves nothing of 6-iteration epochs: no throughput rather than a wrong one.
  auto g = kPytorchExamples.parse_fixture("post2022_two_epochs.log");
  EXPECT_FALSE(g.runs[0].derived.total_ips.has_value());
}

TEST(PytorchExamples, Prec2018TrainValidateSummary) {
  auto f = kPytorchExamples.parse_fixture("prec_2018_train_val.log");
  const auto& r = f.runs[0];
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top1, 71.2);
  EXPECT_DOUBLE_EQ(*r.epochs[0].top5, 90.1);
  EXPECT_DOUBLE_EQ(*r.epochs[0].train_loss, 2.4);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.global_batch.value, 64);  // --batch-size=64
  EXPECT_EQ(*r.world_size.value, 2);
  EXPECT_EQ(*r.batch_per_device.value, 32);
  EXPECT_NEAR(*r.derived.total_ips, 64 / 0.24, 1e-9);  // only index 20018 is >= 10
}

TEST(PytorchExamples, MpirunTagsSelectRankZero) {
  auto f = kPytorchExamples.parse_fixture("mpirun_tagged_ranks.log");
  const auto& r = f.runs[0];
  EXPECT_EQ(*r.world_size.value, 2);
  EXPECT_EQ(*r.batch_per_device.value, 128);
  EXPECT_EQ(*r.global_batch.value, 256);
  EXPECT_EQ(*r.nodes.value, 1);
  EXPECT_NEAR(*r.derived.total_ips, 256 / 0.41, 1e-6);  // rank 0: 0.400 and 0.420
  EXPECT_NE(r.derived.total_ips_definition.find("rank 0"), std::string::npos);
  EXPECT_EQ(count_metrics(r, "train.batch_time", "iter"), 3u);
  EXPECT_EQ(r.status, RunStatus::kIncomplete);
}

TEST(PytorchExamples, MalformedLinesAreDiagnosticsWithLineNumbers) {
  auto f = kPytorchExamples.parse_fixture("malformed_lines.log");
  ASSERT_EQ(f.runs.size(), 1u);
  EXPECT_EQ(count_metrics(f.runs[0], "train.batch_time", "iter"), 3u);
  EXPECT_TRUE(has_diagnostic_at(f, 4));  // "0.3x9"
  EXPECT_TRUE(has_diagnostic_at(f, 6));  // "Acc@1 seventy"
  EXPECT_TRUE(has_diagnostic_at(f, 7));  // cut in the middle
  EXPECT_FALSE(has_diagnostic_at(f, 2));
  EXPECT_TRUE(f.runs[0].epochs.empty());
}

TEST(PytorchExamples, UserFactsWin) {
  RN50_REQUIRE_CORPUS();
  core::DeriveOptions opt;
  opt.sets["global_batch"] = "512";
  auto f = kPytorchExamples.parse_corpus("dlperf/pytorch_examples_dali_2n8g.excerpt.log", opt);
  const auto& r = f.runs[0];
  EXPECT_EQ(*r.global_batch.value, 512);
  EXPECT_EQ(r.global_batch.source, Source::kUser);
  ASSERT_TRUE(r.derived.total_ips.has_value());
  EXPECT_GT(*r.derived.total_ips, 0);
}

TEST(PytorchExamples, NothingRecognisableGivesNoRunAndAnError) {
  auto f = make_pytorch_examples_parser()->parse("hello\nworld\n", {});
  EXPECT_TRUE(f.runs.empty());
  ASSERT_FALSE(f.diagnostics.empty());
  EXPECT_EQ(f.diagnostics[0].severity, core::Severity::kError);
}

TEST(PytorchExamples, SniffScores) {
  auto p = make_pytorch_examples_parser();
  EXPECT_EQ(p->sniff(""), 0);
  EXPECT_EQ(p->sniff("DLL 2021-03-23 09:25:16.839221 - Epoch: 0 Iteration: 100  train.loss : 7.6"),
            0);
  EXPECT_GT(p->sniff(core::read_file(kPytorchExamples.fixture("post2022_two_epochs.log"))), 50);
}

TEST(PytorchExamples, OneNodeDdpCountsUseGpuLines) {
  auto f = kPytorchExamples.parse_fixture("ddp_one_node_use_gpu.log");
  const auto& r = f.runs[0];
  EXPECT_EQ(*r.world_size.value, 4);  // Use GPU: 0..3 with --world-size 1
  EXPECT_EQ(*r.batch_per_device.value, 128);
  EXPECT_EQ(*r.global_batch.value, 512);
  EXPECT_EQ(r.find_param("log.ranks_seen")->value, "4");
  // 2503 iterations also fit 512 exactly: no disagreement diagnostic.
  for (const auto& d : f.diagnostics) EXPECT_EQ(d.message.find("do not match"), std::string::npos);
  // All four ranks' index-10 lines: mean Time 0.5 s.
  EXPECT_NEAR(*r.derived.total_ips, 512 / 0.5, 1e-9);
  EXPECT_NE(r.derived.total_ips_definition.find("all interleaved ranks"), std::string::npos);
  EXPECT_EQ(std::count_if(r.metrics.begin(), r.metrics.end(),
                          [](const auto& m) { return m.key == "train.batch_time"; }),
            2);
}

}  // namespace
}  // namespace rn50::parsers
