// The GEMM path of 1x1 convolutions must compute what ATen's convolution computes: output,
// input gradient and weight gradient, strided or not, fp32 and bf16 autocast, alone and inside
// ResNet-50.
#include "trainer/conv1x1_gemm.h"

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "trainer/amp.h"
#include "trainer/resnet.h"

namespace rn50::trainer {
namespace {

namespace nn = torch::nn;

torch::Tensor channels_last(torch::Tensor t) {
  return t.contiguous(at::MemoryFormat::ChannelsLast);
}

// Largest |a - b| relative to the largest |b|.
double rel_err(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>() /
         b.to(torch::kDouble).abs().max().item<double>();
}

AmpPolicy cpu_bf16(bool autocast) {
  AmpPolicy p;
  p.autocast = autocast;
  return p;
}

struct Grads {
  torch::Tensor y, gx, gw;
};

Grads run(bool gemm, int64_t stride, bool autocast, bool input_grad = true) {
  torch::manual_seed(3);
  nn::Conv2d conv(nn::Conv2dOptions(24, 40, 1).stride(stride).bias(false));
  conv->weight.set_data(channels_last(conv->weight.data()));
  torch::Tensor x = channels_last(torch::randn({3, 24, 9, 9})).requires_grad_(input_grad);
  torch::Tensor g = torch::randn({3, 40, (9 - 1) / stride + 1, (9 - 1) / stride + 1});
  Grads out;
  {
    AutocastScope amp(cpu_bf16(autocast));
    EXPECT_TRUE(conv1x1_gemm_applies(*conv, x));
    out.y = gemm ? conv1x1_gemm(x, conv->weight, stride) : conv->forward(x);
  }
  (out.y.to(torch::kFloat) * g).sum().backward();
  out.gx = input_grad ? x.grad() : torch::Tensor();
  out.gw = conv->weight.grad();
  return out;
}

TEST(Conv1x1Gemm, MatchesAtenConvolutionInFp32) {
  ASSERT_TRUE(conv1x1_gemm_built()) << "LibTorch's oneDNN exports no dnnl_sgemm";
  for (int64_t stride : {1, 2}) {
    const Grads ours = run(true, stride, false), aten = run(false, stride, false);
    ASSERT_EQ(ours.y.sizes(), aten.y.sizes());
    EXPECT_TRUE(ours.y.is_contiguous(at::MemoryFormat::ChannelsLast));
    EXPECT_LT(rel_err(ours.y, aten.y), 1e-5) << "stride " << stride;
    EXPECT_LT(rel_err(ours.gx, aten.gx), 1e-5) << "stride " << stride;
    EXPECT_LT(rel_err(ours.gw, aten.gw), 1e-5) << "stride " << stride;
    EXPECT_EQ(ours.gw.sizes(), aten.gw.sizes());
  }
}

TEST(Conv1x1Gemm, InputWithoutGradGetsOnlyTheWeightGradient) {
  const Grads ours = run(true, 1, false, false), aten = run(false, 1, false, false);
  EXPECT_FALSE(ours.gx.defined());
  EXPECT_LT(rel_err(ours.gw, aten.gw), 1e-5);
}

TEST(Conv1x1Gemm, Bf16AutocastKeepsAtenDtypesAndValues) {
  for (int64_t stride : {1, 2}) {
    const Grads ours = run(true, stride, true), aten = run(false, stride, true);
    EXPECT_EQ(ours.y.scalar_type(), aten.y.scalar_type());  // bf16 like ATen's conv
    EXPECT_EQ(ours.gw.scalar_type(), torch::kFloat);
    EXPECT_EQ(ours.gx.scalar_type(), torch::kFloat);
    // Both round inputs to bf16 and accumulate in float; they differ by rounding order only.
    EXPECT_LT(rel_err(ours.y, aten.y), 2e-2) << "stride " << stride;
    EXPECT_LT(rel_err(ours.gx, aten.gx), 2e-2) << "stride " << stride;
    EXPECT_LT(rel_err(ours.gw, aten.gw), 2e-2) << "stride " << stride;
  }
}

TEST(Conv1x1Gemm, AppliesOnlyToPlain1x1ConvsOfChannelsLastFloatBatches) {
  const torch::Tensor cl = channels_last(torch::randn({2, 8, 5, 5}));
  EXPECT_TRUE(conv1x1_gemm_applies(*nn::Conv2d(nn::Conv2dOptions(8, 4, 1).bias(false)), cl));
  EXPECT_FALSE(conv1x1_gemm_applies(*nn::Conv2d(nn::Conv2dOptions(8, 4, 3).bias(false)), cl));
  EXPECT_FALSE(conv1x1_gemm_applies(*nn::Conv2d(nn::Conv2dOptions(8, 4, 1).bias(true)), cl));
  EXPECT_FALSE(
      conv1x1_gemm_applies(*nn::Conv2d(nn::Conv2dOptions(8, 4, 1).padding(1).bias(false)), cl));
  EXPECT_FALSE(
      conv1x1_gemm_applies(*nn::Conv2d(nn::Conv2dOptions(8, 8, 1).groups(2).bias(false)), cl));
  EXPECT_FALSE(conv1x1_gemm_applies(*nn::Conv2d(nn::Conv2dOptions(8, 4, 1).bias(false)),
                                    torch::randn({2, 8, 5, 5})));  // NCHW-contiguous
  EXPECT_FALSE(conv1x1_gemm_applies(*nn::Conv2d(nn::Conv2dOptions(8, 4, 1).bias(false)),
                                    cl.to(torch::kDouble)));
}

TEST(LinearGemm, MatchesTheLinearLayerInFp32AndBf16) {
  for (bool autocast : {false, true}) {
    torch::manual_seed(5);
    nn::Linear fc(64, 10);
    const torch::Tensor x0 = torch::randn({6, 64});
    const torch::Tensor g = torch::randn({6, 10});
    std::vector<torch::Tensor> ys, grads;
    for (bool gemm : {true, false}) {
      for (auto& p : fc->parameters()) p.mutable_grad() = torch::Tensor();
      torch::Tensor x = x0.clone().requires_grad_(true);
      torch::Tensor y;
      {
        AutocastScope amp(cpu_bf16(autocast));
        ASSERT_TRUE(linear_gemm_applies(*fc, x));
        y = gemm ? linear_gemm(x, fc->weight, fc->bias) : fc->forward(x);
      }
      (y.to(torch::kFloat) * g).sum().backward();
      ys.push_back(y);
      grads.insert(grads.end(), {x.grad(), fc->weight.grad(), fc->bias.grad()});
    }
    const double tol = autocast ? 2e-2 : 1e-5;
    EXPECT_EQ(ys[0].scalar_type(), ys[1].scalar_type());
    EXPECT_LT(rel_err(ys[0], ys[1]), tol) << "autocast " << autocast;
    for (int i = 0; i < 3; ++i)
      EXPECT_LT(rel_err(grads[i], grads[3 + i]), tol) << "autocast " << autocast << " grad " << i;
  }
}

// One step's loss and gradients of the whole network, GEMM path on and off.
TEST(Conv1x1Gemm, Resnet50StepMatchesTheAtenPath) {
  auto step = [](bool gemm) {
    torch::manual_seed(11);
    ResNetOptions o;
    o.num_classes = 10;
    o.gemm_1x1 = gemm;
    ResNet model(o);
    for (auto& p : model->parameters())
      if (p.dim() == 4) p.set_data(channels_last(p.data()));
    // Batch norm on running statistics: in training mode its backward over a tiny batch
    // amplifies rounding differences (GEMM vs convolution kernels) to ~10 %, hiding real errors.
    model->eval();
    torch::Tensor x = channels_last(torch::randn({4, 3, 64, 64}));
    torch::Tensor loss = torch::nn::functional::cross_entropy(
        model->forward(x), torch::tensor({1, 7, 3, 0}, torch::kLong));
    loss.backward();
    std::vector<torch::Tensor> grads;
    for (auto& p : model->parameters()) grads.push_back(p.grad().clone());
    return std::make_pair(loss.item<double>(), grads);
  };
  const auto [loss_gemm, grads_gemm] = step(true);
  const auto [loss_aten, grads_aten] = step(false);
  EXPECT_NEAR(loss_gemm, loss_aten, 1e-4 * std::abs(loss_aten));
  ASSERT_EQ(grads_gemm.size(), grads_aten.size());
  // Measured: <= 3.4e-6 (rounding order); a wrong transpose or stride gives errors ~1.
  for (size_t i = 0; i < grads_gemm.size(); ++i)
    EXPECT_LT(rel_err(grads_gemm[i], grads_aten[i]), 1e-4) << "parameter " << i;
}

}  // namespace
}  // namespace rn50::trainer
