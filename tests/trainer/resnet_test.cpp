// The ResNet must match torchvision name for name and shape for shape (checkpoints compare key by
// key), and keep torchvision's parameter counts for every depth.
#include "trainer/resnet.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "test_support.h"

namespace rn50::trainer {
namespace {

std::string shape_of(const torch::Tensor& t) {
  if (t.dim() == 0) return "scalar";
  std::string s;
  for (int64_t d : t.sizes()) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

TEST(ResNet, Resnet50MatchesTorchvisionNamesAndShapes) {
  std::ifstream in(rn50::testing::fixtures_dir() / "trainer" / "torchvision_resnet50_params.txt");
  ASSERT_TRUE(in) << "fixture missing";
  std::vector<std::string> expected_params, expected_buffers;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string kind, name, shape;
    ls >> kind >> name >> shape;
    (kind == "param" ? expected_params : expected_buffers).push_back(name + " " + shape);
  }
  ASSERT_EQ(expected_params.size(), 161u);

  ResNet model(ResNetOptions{});
  std::vector<std::string> params, buffers;
  int64_t count = 0;
  for (auto& p : model->named_parameters()) {
    params.push_back(p.key() + " " + shape_of(p.value()));
    count += p.value().numel();
  }
  for (auto& b : model->named_buffers()) buffers.push_back(b.key() + " " + shape_of(b.value()));
  EXPECT_EQ(params, expected_params);  // same order as torchvision, too
  EXPECT_EQ(buffers, expected_buffers);
  EXPECT_EQ(count, 25557032);
}

int64_t count_params(const std::string& arch) {
  ResNetOptions o;
  o.arch = arch;
  ResNet m(o);
  int64_t n = 0;
  for (auto& p : m->parameters()) n += p.numel();
  return n;
}

TEST(ResNet, ParameterCountsOfEveryDepth) {
  // torchvision.models.resnetNN().parameters() totals.
  EXPECT_EQ(count_params("resnet18"), 11689512);
  EXPECT_EQ(count_params("resnet34"), 21797672);
  EXPECT_EQ(count_params("resnet101"), 44549160);
}

TEST(ResNet, Init) {
  ResNetOptions o;
  o.arch = "resnet18";
  o.zero_init_residual = true;
  ResNet m(o);
  auto params = m->named_parameters();
  EXPECT_EQ(params["layer1.0.bn2.weight"].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(params["layer1.0.bn1.weight"].mean().item<double>(), 1.0);
  // kaiming fan_out: std = sqrt(2 / (out * k * k)) = sqrt(2 / (64 * 49)) for conv1.
  double std = params["conv1.weight"].std().item<double>();
  EXPECT_NEAR(std, std::sqrt(2.0 / (64 * 49)), 0.002);
}

TEST(ResNet, ForwardShapesForBothStems) {
  torch::NoGradGuard g;
  ResNetOptions o;
  o.arch = "resnet18";
  o.num_classes = 10;
  ResNet imagenet(o);
  imagenet->eval();
  EXPECT_EQ(imagenet->forward(torch::randn({2, 3, 64, 64})).sizes(), (std::vector<int64_t>{2, 10}));
  o.stem = "cifar";
  ResNet cifar(o);
  cifar->eval();
  EXPECT_EQ(cifar->named_parameters()["conv1.weight"].sizes(), (std::vector<int64_t>{64, 3, 3, 3}));
  EXPECT_EQ(cifar->forward(torch::randn({2, 3, 32, 32})).sizes(), (std::vector<int64_t>{2, 10}));
}

TEST(ResNet, WeightDecayGroupsExcludeBnAndBias) {
  ResNetOptions o;
  o.arch = "resnet18";
  ResNet m(o);
  auto g = split_for_weight_decay(*m, false);
  // decay: 20 convs + fc.weight; no decay: 20 BNs x 2 + fc.bias.
  EXPECT_EQ(g.decay.size(), 21u);
  EXPECT_EQ(g.no_decay.size(), 41u);
  auto all = split_for_weight_decay(*m, true);
  EXPECT_EQ(all.decay.size(), 62u);
  EXPECT_TRUE(all.no_decay.empty());
}

TEST(ResNet, RejectsUnknownArch) {
  ResNetOptions o;
  o.arch = "resnet42";
  EXPECT_THROW(ResNet{o}, core::UsageError);
}

}  // namespace
}  // namespace rn50::trainer
