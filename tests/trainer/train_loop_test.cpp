// The training loop end to end on the synthetic backend with a tiny ResNet-18 (CIFAR stem,
// 16 px): exact resume, the native log and report, and their round trip through the parser.
#include "trainer/train_loop.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "parsers/parser.h"
#include "test_support.h"
#include "trainer/checkpoint.h"
#include "trainer/train_step.h"

namespace rn50::trainer {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

core::TrainConfig tiny_config(const fs::path& workspace) {
  core::TrainConfig c;
  c.arch = "resnet18";
  c.stem = "cifar";
  c.num_classes = 4;
  c.data_backend = "synthetic";
  c.synthetic_train_images = 48;  // 6 steps of 8
  c.synthetic_val_images = 20;
  c.image_size = 16;
  c.batch_size = 8;
  c.workers = 1;
  c.epochs = 2;
  c.lr = 0.05;
  c.lr_schedule = "cosine";
  c.warmup_epochs = 1;
  c.lr_per_iteration = true;
  c.nesterov = true;
  c.label_smoothing = 0.1;
  c.mixup = 0.2;
  c.print_freq = 2;
  c.skip_steps = 1;
  c.seed = 7;
  c.deterministic = true;
  c.threads = 1;
  c.workspace = workspace.string();
  return c;
}

struct Snapshot {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
};

Snapshot read_checkpoint(const core::TrainConfig& cfg) {
  ResNet model = make_model(cfg);
  auto st = load_checkpoint((fs::path(cfg.workspace) / cfg.checkpoint_file).string(), *model);
  Snapshot s;
  for (auto& p : model->named_parameters()) s.tensors.emplace_back(p.key(), p.value().clone());
  for (auto& b : model->named_buffers()) s.tensors.emplace_back(b.key(), b.value().clone());
  for (size_t i = 0; i < st.momentum.size(); ++i)
    if (st.momentum[i].defined())
      s.tensors.emplace_back("momentum." + std::to_string(i), st.momentum[i]);
  EXPECT_EQ(st.epoch, cfg.epochs);
  EXPECT_EQ(st.step, 0);
  return s;
}

TEST(TrainLoop, ResumeContinuesExactly) {
  auto dir = rn50::testing::make_temp_dir("rn50-resume");
  Distributed single;

  // Straight: 2 epochs x 6 steps.
  auto straight_cfg = tiny_config(dir / "straight");
  auto straight = train(straight_cfg, single);
  ASSERT_EQ(straight.status, "success");
  Snapshot a = read_checkpoint(straight_cfg);

  // Interrupted after 4 steps of epoch 1 (mid-epoch), then resumed for the rest.
  auto cfg = tiny_config(dir / "resumed");
  int steps = 0;
  TrainHooks stop_hooks;
  stop_hooks.should_stop = [&] { return ++steps == 6 + 4; };
  auto first = train(cfg, single, stop_hooks);
  EXPECT_EQ(first.status, "aborted");
  EXPECT_EQ(first.epochs_completed, 1);
  cfg.resume = "auto";
  auto second = train(cfg, single);
  EXPECT_EQ(second.status, "success");
  Snapshot b = read_checkpoint(cfg);

  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    ASSERT_EQ(a.tensors[i].first, b.tensors[i].first);
    EXPECT_TRUE(torch::equal(a.tensors[i].second, b.tensors[i].second))
        << a.tensors[i].first << " differs after resume";
  }
  // Training actually changed the weights (the comparison above is not between two inits).
  ResNet init = make_model(straight_cfg);
  EXPECT_FALSE(torch::equal(init->named_parameters()["conv1.weight"], a.tensors[0].second));
  // The best accuracy survives the resume (both runs evaluated the same final model).
  EXPECT_DOUBLE_EQ(straight.acc1_best, second.acc1_best);
  fs::remove_all(dir);
}

TEST(TrainLoop, NativeLogRoundTripsThroughParser) {
  auto dir = rn50::testing::make_temp_dir("rn50-log");
  auto cfg = tiny_config(dir);
  cfg.eval_step_per_epoch = 2;  // 2 x 8 of the 20 validation images
  cfg.target_top1 = 1;          // reached at the first evaluation: Time2Train path
  Distributed single;
  auto r = train(cfg, single);
  ASSERT_EQ(r.status, "success");
  ASSERT_TRUE(r.time_to_target_s.has_value());
  EXPECT_EQ(r.epochs_completed, 1);  // stopped at the first evaluation reaching the target

  std::ifstream rf(r.report_path);
  json report = json::parse(rf);
  for (const char* k : {"model", "local_rank", "batch_size", "epochs", "training_step_per_epoch",
                        "eval_step_per_epoch", "acc1_best", "acc5_best", "device", "skip_steps",
                        "train_fps_mean", "train_fps_min", "train_fps_max", "training_time",
                        "time_to_target_s", "total_ips", "compute_ips"})
    EXPECT_TRUE(report.contains(k)) << k;
  EXPECT_EQ(report["model"], "resnet18");
  EXPECT_GT(report["total_ips"].get<double>(), 0);
  EXPECT_LE(report["train_fps_min"].get<double>(), report["train_fps_max"].get<double>());

  std::ifstream lf(r.log_path);
  std::string content((std::istreambuf_iterator<char>(lf)), std::istreambuf_iterator<char>());
  auto parser = parsers::make_native_log_parser();
  EXPECT_EQ(parser->sniff(content), 100);
  auto parsed = parser->parse(content, core::DeriveOptions{});
  for (const auto& d : parsed.diagnostics) ADD_FAILURE() << d.line << ": " << d.message;
  ASSERT_EQ(parsed.runs.size(), 1u);
  const auto& run = parsed.runs[0];
  EXPECT_EQ(run.status, core::RunStatus::kFinished);
  EXPECT_EQ(*run.batch_per_device.value, 8);
  EXPECT_EQ(*run.epochs_planned.value, 2);
  ASSERT_TRUE(run.derived.total_ips && run.derived.best_top1);
  EXPECT_NEAR(*run.derived.total_ips, report["total_ips"].get<double>(),
              1e-9 * report["total_ips"].get<double>());
  EXPECT_NEAR(*run.derived.compute_ips, report["compute_ips"].get<double>(),
              1e-9 * report["compute_ips"].get<double>());
  EXPECT_NEAR(*run.derived.best_top1, report["acc1_best"].get<double>(), 1e-9);
  EXPECT_NEAR(*run.derived.best_top5, report["acc5_best"].get<double>(), 1e-9);
  EXPECT_DOUBLE_EQ(*run.derived.target_top1, 1.0);  // the run's own target
  ASSERT_TRUE(run.derived.time_to_target_s.has_value());
  EXPECT_NEAR(*run.derived.time_to_target_s, *r.time_to_target_s, 0.5);
  ASSERT_NE(run.find_param("lr_schedule"), nullptr);
  EXPECT_EQ(run.find_param("lr_schedule")->value, "cosine");
  bool eval_event = false;
  for (const auto& e : run.events) eval_event |= e.key == "eval_accuracy" && e.epoch == 0.0;
  EXPECT_TRUE(eval_event);
  fs::remove_all(dir);
}

TEST(TrainLoop, BadDataFolderIsAUsageError) {
  auto dir = rn50::testing::make_temp_dir("rn50-bad");
  auto cfg = tiny_config(dir);
  cfg.data_backend = "folder";
  cfg.data = (dir / "no-such-folder").string();
  Distributed single;
  EXPECT_THROW(train(cfg, single), core::UsageError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rn50::trainer
