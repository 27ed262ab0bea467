// The SGD update and the LR schedules against hand-computed values (PyTorch / NGC formulas).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "trainer/optim_schedule.h"
#include "trainer/optim_sgd.h"

namespace rn50::trainer {
namespace {

TEST(Sgd, MatchesTorchOptimSgdWithMomentumNesterovAndDecay) {
  for (bool nesterov : {false, true}) {
    auto p_ours = torch::tensor({1.0, -2.0}, torch::dtype(torch::kDouble).requires_grad(true));
    auto q_ours = torch::tensor({0.5}, torch::dtype(torch::kDouble).requires_grad(true));
    auto p_ref = p_ours.detach().clone().requires_grad_(true);
    Sgd ours({p_ours}, {q_ours}, 0.9, nesterov, 0.01);
    torch::optim::SGD ref(
        {p_ref}, torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(nesterov).weight_decay(0.01));
    double q_expected = 0.5, q_buf = 0;
    for (int i = 0; i < 4; ++i) {
      auto g = torch::tensor({0.3 * (i + 1), -0.7}, torch::kDouble);
      p_ours.mutable_grad() = g.clone();
      p_ref.mutable_grad() = g.clone();
      q_ours.mutable_grad() = torch::tensor({1.0}, torch::kDouble);
      ours.step(0.1);
      ref.step();
      // no-decay group by hand: buf = 0.9 buf + g (first: g); p -= lr * (nesterov ? g + .9 buf :
      // buf)
      q_buf = i == 0 ? 1.0 : 0.9 * q_buf + 1.0;
      q_expected -= 0.1 * (nesterov ? 1.0 + 0.9 * q_buf : q_buf);
    }
    EXPECT_TRUE(torch::allclose(p_ours, p_ref, 1e-12, 1e-12)) << nesterov;
    EXPECT_NEAR(q_ours.item<double>(), q_expected, 1e-12);
    ASSERT_TRUE(ours.momentum_buffers()[0].defined());
  }
}

TEST(LrSchedule, NgcCosineWithWarmupPerEpoch) {
  LrSchedule s;
  s.kind = "cosine";
  s.base_lr = 2.048;
  s.warmup_epochs = 8;
  s.epochs = 90;
  EXPECT_DOUBLE_EQ(s.at(0, 500, 1000), 0.256);  // AI-Rank log: epoch 0 lr 0.256 = 2.048 * 1/8
  EXPECT_DOUBLE_EQ(s.at(7, 0, 1000), 2.048);
  EXPECT_DOUBLE_EQ(s.at(8, 0, 1000), 2.048);
  EXPECT_NEAR(s.at(49, 0, 1000), 0.5 * (1 + std::cos(M_PI * 41.0 / 82.0)) * 2.048, 1e-12);
}

TEST(LrSchedule, StepLinearAndPerIteration) {
  LrSchedule s;
  s.kind = "step";
  s.base_lr = 1;
  s.milestones = {2, 4};
  s.factor = 0.1;
  s.epochs = 6;
  EXPECT_DOUBLE_EQ(s.at(1, 99, 100), 1);
  EXPECT_NEAR(s.at(2, 0, 100), 0.1, 1e-15);
  EXPECT_NEAR(s.at(5, 0, 100), 0.01, 1e-15);
  s.kind = "linear";
  s.end_lr = 0.2;
  s.per_iteration = true;
  EXPECT_DOUBLE_EQ(s.at(0, 0, 100), 1);
  EXPECT_NEAR(s.at(3, 0, 100), 0.6, 1e-12);
  EXPECT_NEAR(s.at(3, 50, 100), 1 - 0.8 * 3.5 / 6, 1e-12);
  s.kind = "onecycle";
  s.end_lr = 0;
  s.warmup_epochs = 1;
  EXPECT_NEAR(s.at(0, 0, 100), 0.04, 1e-12);
  EXPECT_NEAR(s.at(1, 0, 100), 1.0, 1e-12);
  EXPECT_NEAR(s.at(5, 99, 100), 0.5 * (1 + std::cos(M_PI * 4.99 / 5)), 1e-12);
}

TEST(LrSchedule, LinearScalingRule) {
  core::TrainConfig cfg;
  cfg.lr = 0.256;
  cfg.lr_scaling = true;
  cfg.lr_reference_batch = 256;
  EXPECT_DOUBLE_EQ(scaled_base_lr(cfg, 2048), 2.048);
  cfg.lr_scaling = false;
  EXPECT_DOUBLE_EQ(scaled_base_lr(cfg, 2048), 0.256);
}

}  // namespace
}  // namespace rn50::trainer
