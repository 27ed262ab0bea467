// The CUDA path: fp16 autocast with dynamic loss scaling, bf16 autocast, NCCL, the loop on a GPU.
// Every test here needs a visible NVIDIA GPU and a CUDA build; elsewhere each one is SKIPPED with
// the reason (a CPU machine never passes them).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "group_of_one.h"
#include "test_support.h"
#include "trainer/amp.h"
#include "trainer/distributed.h"
#include "trainer/train_loop.h"
#include "trainer/train_step.h"

namespace rn50::trainer {
namespace {

#ifdef RN50_HAVE_CUDA
#define RN50_REQUIRE_CUDA()                                                                 \
  do {                                                                                      \
    if (!torch::cuda::is_available())                                                       \
      GTEST_SKIP() << "CUDA build without a visible GPU: the CUDA path is not tested here"; \
  } while (0)
#else
#define RN50_REQUIRE_CUDA() \
  GTEST_SKIP() << "CPU build (LibTorch without CUDA): the CUDA path is not tested here"
#endif

core::TrainConfig gpu_config() {
  core::TrainConfig c;
  c.arch = "resnet18";
  c.stem = "cifar";
  c.num_classes = 10;
  c.image_size = 32;
  c.batch_size = 16;
  c.data_backend = "synthetic";
  c.device = "cuda";
  c.precision = "amp";
  c.memory_format = "nhwc";
  c.weight_decay = 0;
  c.lr = 0.05;
  return c;
}

std::vector<torch::Tensor> snapshot(ResNet& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model->parameters()) out.push_back(p.detach().clone());
  return out;
}

bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

TEST(CudaAmp, Fp16OverflowSkipsTheStepBacksOffAndTheNextFiniteStepUpdates) {
  RN50_REQUIRE_CUDA();
  core::TrainConfig cfg = gpu_config();
  ASSERT_TRUE(amp_policy(cfg).loss_scaling);  // auto on CUDA = fp16 + loss scaling
  cfg.loss_scale_init = std::ldexp(1.0, 60);  // any fp16 gradient overflows at this scale
  torch::manual_seed(0);
  ResNet model = make_model(cfg);
  model->to(torch::kCUDA);
  Distributed single;
  TrainStep step(cfg, model, single, 1);
  const auto images = torch::randn({16, 3, 32, 32});
  const auto labels = torch::randint(0, 10, {16}, torch::kLong);

  const auto before = snapshot(model);
  const double loss = step.run(images, labels, cfg.lr, true);
  EXPECT_TRUE(std::isfinite(loss)) << "the unscaled loss itself is finite";
  EXPECT_EQ(step.scaler().skipped_steps(), 1);
  EXPECT_DOUBLE_EQ(step.scaler().scale(), std::ldexp(1.0, 59));  // backed off by 0.5
  EXPECT_TRUE(same(before, snapshot(model))) << "a skipped step must not touch the weights";
  for (const auto& b : step.sgd().momentum_buffers())
    EXPECT_FALSE(b.defined()) << "a skipped step must not start momentum";

  step.scaler().load_state(65536.0, 0);
  step.run(images, labels, cfg.lr, true);
  EXPECT_EQ(step.scaler().skipped_steps(), 1);
  EXPECT_FALSE(same(before, snapshot(model))) << "a finite step updates the weights";
  std::printf(
      "fp16 loss scaler on %s: overflow at scale 2^60 skipped (scale now 2^59), then a "
      "finite step at 65536 updated the weights\n",
      torch::Device(torch::kCUDA, 0).str().c_str());
}

TEST(CudaAmp, AutocastComputesInTheRequestedDtype) {
  RN50_REQUIRE_CUDA();
  for (const char* dtype : {"fp16", "bf16"}) {
    core::TrainConfig cfg = gpu_config();
    cfg.amp_dtype = dtype;
    const AmpPolicy amp = amp_policy(cfg);
    EXPECT_EQ(amp.loss_scaling, std::string(dtype) == "fp16") << dtype;
    ResNet model = make_model(cfg);
    model->to(torch::kCUDA);
    torch::Tensor out;
    {
      AutocastScope scope(amp);
      out = model->forward(torch::randn({4, 3, 32, 32}, torch::kCUDA));
    }
    EXPECT_EQ(out.scalar_type(), std::string(dtype) == "fp16" ? at::kHalf : at::kBFloat16);
    // Outside the scope autocast is off again.
    EXPECT_EQ(model->forward(torch::randn({4, 3, 32, 32}, torch::kCUDA)).scalar_type(), at::kFloat);
  }
}

TEST(CudaTrain, OneStepOnTheGpuMatchesTheCpuStep) {
  RN50_REQUIRE_CUDA();
  core::TrainConfig cfg = gpu_config();
  cfg.precision = "fp32";
  const auto images = torch::randn({16, 3, 32, 32});
  const auto labels = torch::randint(0, 10, {16}, torch::kLong);
  std::vector<double> losses;
  std::vector<std::vector<torch::Tensor>> weights;
  for (const char* device : {"cpu", "cuda"}) {
    cfg.device = device;
    torch::manual_seed(5);
    ResNet model = make_model(cfg);
    model->to(torch::Device(device));
    Distributed single;
    TrainStep step(cfg, model, single, 1);
    losses.push_back(step.run(images, labels, cfg.lr, true));
    auto w = snapshot(model);
    for (auto& t : w) t = t.cpu();
    weights.push_back(w);
  }
  // cuDNN may use TF32 for fp32 convolutions: close, not equal.
  EXPECT_NEAR(losses[0], losses[1], 1e-2 * std::abs(losses[0]));
  double worst = 0;
  for (size_t i = 0; i < weights[0].size(); ++i)
    worst = std::max(worst, (weights[0][i] - weights[1][i]).abs().max().item<double>());
  EXPECT_LT(worst, 1e-2);
}

TEST(CudaDistributed, NcclGroupOfOneRunsEveryCollective) {
  RN50_REQUIRE_CUDA();
  testing::check_group_of_one("cuda:0", "nccl");
}

TEST(CudaTrain, LoopTrainsOnTheGpuAndLogsIt) {
  RN50_REQUIRE_CUDA();
  auto dir = rn50::testing::make_temp_dir("rn50-cuda");
  core::TrainConfig cfg = gpu_config();
  cfg.synthetic_train_images = 64;
  cfg.synthetic_val_images = 32;
  cfg.epochs = 2;
  cfg.print_freq = 2;
  cfg.workers = 2;
  cfg.workspace = dir.string();
  Distributed single;
  TrainResult r = train(cfg, single);
  EXPECT_EQ(r.status, "success");
  EXPECT_EQ(r.epochs_completed, 2);
  EXPECT_GT(r.total_ips, 0);
  std::ifstream log(r.log_path);
  std::string first;
  std::getline(log, first);
  const auto header = nlohmann::json::parse(first);
  const auto& torch_facts = header.at("torch");
  EXPECT_TRUE(torch_facts.at("cuda_available").get<bool>());
  EXPECT_FALSE(torch_facts.at("device_name").get<std::string>().empty());
  EXPECT_FALSE(torch_facts.at("cudnn_version").get<std::string>().empty());
  std::printf("trained on %s (CUDA %s, cuDNN %s, NCCL %s, LibTorch %s): %.1f img/s\n",
              torch_facts["device_name"].get<std::string>().c_str(),
              torch_facts["cuda_version"].get<std::string>().c_str(),
              torch_facts["cudnn_version"].get<std::string>().c_str(),
              torch_facts["nccl_version"].get<std::string>().c_str(),
              torch_facts["version"].get<std::string>().c_str(), r.total_ips);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rn50::trainer
