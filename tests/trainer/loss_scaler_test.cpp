// GradScaler semantics on CPU tensors: unscale, skip + back off on inf/NaN, grow after N good
// steps.
#include "trainer/loss_scaler.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

namespace rn50::trainer {
namespace {

torch::Tensor param_with_grad(std::vector<float> g) {
  auto p = torch::zeros({int64_t(g.size())}, torch::requires_grad());
  p.mutable_grad() = torch::tensor(g);
  return p;
}

TEST(LossScaler, UnscalesFiniteGradientsAndGrowsAfterInterval) {
  LossScaler s(8.0, 2.0, 0.5, /*growth_interval=*/3);
  auto loss = torch::tensor(1.5f);
  EXPECT_FLOAT_EQ(s.scale_loss(loss).item<float>(), 12.0f);
  auto p = param_with_grad({8.f, -16.f});
  EXPECT_FALSE(s.unscale({p}));
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({1.f, -2.f})));
  s.update(false);
  s.update(false);
  EXPECT_DOUBLE_EQ(s.scale(), 8.0);
  EXPECT_EQ(s.growth_tracker(), 2);
  s.update(false);
  EXPECT_DOUBLE_EQ(s.scale(), 16.0);
  EXPECT_EQ(s.growth_tracker(), 0);
}

TEST(LossScaler, InfOrNanBacksOffAndResetsStreak) {
  LossScaler s(1024.0, 2.0, 0.5, 2);
  s.update(false);
  EXPECT_EQ(s.growth_tracker(), 1);
  auto finite = param_with_grad({1.f});
  auto bad = param_with_grad({1.f, std::numeric_limits<float>::infinity()});
  EXPECT_TRUE(s.unscale({finite, bad}));
  s.update(true);
  EXPECT_DOUBLE_EQ(s.scale(), 512.0);
  EXPECT_EQ(s.growth_tracker(), 0);
  EXPECT_EQ(s.skipped_steps(), 1);
  auto nan = param_with_grad({std::numeric_limits<float>::quiet_NaN()});
  EXPECT_TRUE(s.unscale({nan}));
  // A parameter without a gradient (unused this step) is ignored, not an error.
  auto unused = torch::zeros({2}, torch::requires_grad());
  EXPECT_FALSE(s.unscale({unused}));
}

TEST(LossScaler, DisabledIsIdentity) {
  LossScaler s(65536.0, 2.0, 0.5, 1, /*enabled=*/false);
  EXPECT_DOUBLE_EQ(s.scale(), 1.0);
  auto p = param_with_grad({std::numeric_limits<float>::infinity()});
  EXPECT_FALSE(s.unscale({p}));
  s.update(true);
  EXPECT_DOUBLE_EQ(s.scale(), 1.0);
}

}  // namespace
}  // namespace rn50::trainer
