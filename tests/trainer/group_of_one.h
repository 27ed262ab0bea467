// One check of the collectives, run by the CPU suite over Gloo and by the CUDA suite over NCCL:
// a world of one rank with a real process group, so broadcast, the bucketed gradient all-reduce,
// the synchronous average, sums and the barrier all go through the backend. With one rank every
// collective must hand back exactly what went in.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <string>
#include <torch/csrc/distributed/c10d/FileStore.hpp>

#include "test_support.h"
#include "trainer/distributed.h"

namespace rn50::trainer::testing {

struct SmallNet : torch::nn::Module {
  SmallNet() {
    fc1 = register_module("fc1", torch::nn::Linear(6, 16));
    bn = register_module("bn", torch::nn::BatchNorm1d(16));
    fc2 = register_module("fc2", torch::nn::Linear(16, 3));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2(torch::relu(bn(fc1(x)))); }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};

inline void check_group_of_one(const std::string& device, const std::string& backend) {
  using namespace std::chrono_literals;
  auto dir = rn50::testing::make_temp_dir("rn50-one");
  {
    auto store = c10::make_intrusive<c10d::FileStore>((dir / "store").string(), 1);
    Distributed dist(store, 0, 1, device, 60s, /*group_of_one=*/true);
    EXPECT_EQ(dist.backend(), backend);
    EXPECT_EQ(dist.device().str(), device);

    torch::manual_seed(11);
    auto net = std::make_shared<SmallNet>();
    net->to(torch::Device(device));
    std::vector<torch::Tensor> before;
    for (const auto& t : net->parameters()) before.push_back(t.detach().clone());
    dist.broadcast_module(*net);
    auto params = net->parameters();
    for (size_t i = 0; i < params.size(); ++i)
      EXPECT_TRUE(torch::equal(params[i], before[i])) << "broadcast changed parameter " << i;

    const auto x = torch::randn({8, 6}).to(torch::Device(device));
    const auto y = torch::randint(0, 3, {8}, torch::kLong).to(torch::Device(device));
    auto loss_of = [&] { return torch::nn::functional::cross_entropy(net->forward(x), y); };
    loss_of().backward();
    std::vector<torch::Tensor> local;
    for (auto& p : params) {
      local.push_back(p.grad().detach().clone());
      p.mutable_grad() = torch::Tensor();
    }

    // Small buckets: several all-reduces in flight while backward runs.
    dist.attach_gradient_sync(*net, /*bucket_bytes=*/256);
    for (int round = 0; round < 2; ++round) {
      loss_of().backward();
      dist.finish_gradient_sync();
      for (size_t i = 0; i < params.size(); ++i) {
        ASSERT_TRUE(params[i].grad().defined()) << "parameter " << i;
        EXPECT_EQ(params[i].grad().device(), params[i].device());
        EXPECT_TRUE(torch::allclose(params[i].grad(), local[i], 1e-6, 1e-7))
            << "round " << round << ", parameter " << i;
        params[i].mutable_grad() = torch::Tensor();
      }
    }
    EXPECT_EQ(dist.all_reduce_sum({1.5, 2.0, 1e15}), (std::vector<double>{1.5, 2.0, 1e15}));
    EXPECT_EQ(dist.pipelined_sum(3.0), 0.0);  // the first call answers the previous round
    EXPECT_EQ(dist.pipelined_sum(4.0), 3.0);
    dist.broadcast_buffers(*net);
    dist.barrier();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace rn50::trainer::testing
