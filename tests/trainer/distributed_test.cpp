// Several ranks as threads of this process over one FileStore (or a real TCPStore), the way
// PyTorch's ProcessGroupGlooTest does it: every collective really runs over Gloo's TCP
// transport, and each data-parallel result is checked against one process that trains on
// the concatenation of all ranks' batches.
#include "trainer/distributed.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <latch>
#include <mutex>
#include <thread>
#include <torch/csrc/distributed/c10d/FileStore.hpp>

#include "core/error.h"
#include "group_of_one.h"
#include "test_support.h"

namespace rn50::trainer {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs fn(rank, dist) on world_size threads, each with its own Distributed over one FileStore
// file. Exceptions inside a rank become test failures naming the rank.
void run_ranks(int world_size, const std::function<void(int, Distributed&)>& fn,
               std::chrono::milliseconds timeout = 20s) {
  auto dir = rn50::testing::make_temp_dir("rn50-dist");
  std::string path = (dir / "store").string();
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> errors;
  for (int r = 0; r < world_size; ++r) {
    threads.emplace_back([&, r] {
      try {
        auto store = c10::make_intrusive<c10d::FileStore>(path, world_size);
        Distributed dist(store, r, world_size, "cpu", timeout);
        fn(r, dist);
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        errors.push_back("rank " + std::to_string(r) + ": " + e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) ADD_FAILURE() << e;
  std::filesystem::remove_all(dir);
}

// A small MLP (no BatchNorm: per-rank batch statistics would make data parallelism differ
// from one big batch by design). Parameters are set from `init`, never from the global RNG,
// which the rank threads share.
struct Net : torch::nn::Module {
  Net() {
    fc1 = register_module("fc1", torch::nn::Linear(6, 8));
    fc2 = register_module("fc2", torch::nn::Linear(8, 8));
    fc3 = register_module("fc3", torch::nn::Linear(8, 3));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return fc3(torch::tanh(fc2(torch::tanh(fc1(x)))));
  }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};

std::vector<torch::Tensor> random_init(uint64_t seed) {
  torch::manual_seed(seed);
  Net net;
  std::vector<torch::Tensor> out;
  for (auto& p : net.parameters()) out.push_back(p.detach().clone().to(torch::kDouble));
  return out;
}

std::shared_ptr<Net> make_net(const std::vector<torch::Tensor>& init) {
  auto net = std::make_shared<Net>();
  net->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) params[i].copy_(init[i]);
  return net;
}

double max_diff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, (a[i] - b[i]).abs().max().item<double>());
  return m;
}

std::vector<torch::Tensor> grads(Net& net) {
  std::vector<torch::Tensor> out;
  for (auto& p : net.parameters()) out.push_back(p.grad().detach().clone());
  return out;
}

std::vector<torch::Tensor> values(Net& net) {
  std::vector<torch::Tensor> out;
  for (auto& p : net.parameters()) out.push_back(p.detach().clone());
  return out;
}

// Data of the whole run: steps x (world_size * per_rank) samples, fixed in the main thread.
struct Data {
  torch::Tensor x, y;  // [steps, world_size * per_rank, 6], [steps, world_size * per_rank]
  int world_size, per_rank;
  torch::Tensor rank_x(int step, int rank) const {
    return x[step].narrow(0, rank * per_rank, per_rank);
  }
  torch::Tensor rank_y(int step, int rank) const {
    return y[step].narrow(0, rank * per_rank, per_rank);
  }
};

Data make_data(int steps, int world_size, int per_rank) {
  torch::manual_seed(1234);
  Data d{torch::randn({steps, world_size * per_rank, 6}, torch::kDouble),
         torch::randint(0, 3, {steps, world_size * per_rank}, torch::kLong), world_size, per_rank};
  return d;
}

torch::Tensor loss_of(Net& net, const torch::Tensor& x, const torch::Tensor& y) {
  return torch::nn::functional::cross_entropy(net.forward(x), y);
}

class DistributedRanks : public ::testing::TestWithParam<int> {};

TEST_P(DistributedRanks, AveragedGradientsMatchOneProcessOnTheConcatenatedBatch) {
  const int n = GetParam();
  Data data = make_data(1, n, 5);
  auto init = random_init(7);
  auto ref = make_net(init);
  loss_of(*ref, data.x[0], data.y[0]).backward();
  auto expected = grads(*ref);

  for (int64_t bucket_bytes : {int64_t{25} << 20, int64_t{200}}) {  // one bucket; one per tensor
    run_ranks(n, [&](int rank, Distributed& dist) {
      auto net = make_net(init);
      dist.attach_gradient_sync(*net, bucket_bytes);
      loss_of(*net, data.rank_x(0, rank), data.rank_y(0, rank)).backward();
      // Before the sync each rank holds only its own gradient: proves the check below is real.
      EXPECT_GT(max_diff(grads(*net), expected), 1e-3) << "rank " << rank;
      dist.finish_gradient_sync();
      EXPECT_LT(max_diff(grads(*net), expected), 1e-9)
          << "rank " << rank << " bucket_bytes " << bucket_bytes;
    });
  }
}

TEST_P(DistributedRanks, SgdStepsStayIdenticalToOneProcess) {
  const int n = GetParam();
  const int steps = 4;
  Data data = make_data(steps, n, 4);
  auto init = random_init(11);

  auto ref = make_net(init);
  torch::optim::SGD ref_opt(ref->parameters(), torch::optim::SGDOptions(0.2).momentum(0.9));
  for (int s = 0; s < steps; ++s) {
    ref_opt.zero_grad();
    loss_of(*ref, data.x[s], data.y[s]).backward();
    ref_opt.step();
  }
  auto expected = values(*ref);
  ASSERT_GT(max_diff(expected, init), 1e-2);  // training moved the weights

  // Ranks start from different weights: broadcast_module must make them rank 0's.
  std::vector<std::vector<torch::Tensor>> inits;
  for (int r = 0; r < n; ++r) inits.push_back(r == 0 ? init : random_init(100 + r));
  run_ranks(n, [&](int rank, Distributed& dist) {
    auto net = make_net(inits[rank]);
    dist.broadcast_module(*net);
    EXPECT_LT(max_diff(values(*net), init), 1e-12) << "rank " << rank;
    dist.attach_gradient_sync(*net, 256);
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.2).momentum(0.9));
    for (int s = 0; s < steps; ++s) {
      opt.zero_grad();
      loss_of(*net, data.rank_x(s, rank), data.rank_y(s, rank)).backward();
      dist.finish_gradient_sync();
      opt.step();
    }
    EXPECT_LT(max_diff(values(*net), expected), 1e-6) << "rank " << rank;
  });
}

TEST_P(DistributedRanks, AccumulationMicroBatchesSkipTheSync) {
  const int n = GetParam();
  const int micro = 3;
  Data data = make_data(micro, n, 2);
  auto init = random_init(5);
  auto ref = make_net(init);
  loss_of(*ref, data.x.reshape({-1, 6}), data.y.reshape({-1})).backward();
  auto expected = grads(*ref);

  run_ranks(n, [&](int rank, Distributed& dist) {
    auto net = make_net(init);
    dist.attach_gradient_sync(*net, 300);
    for (int m = 0; m < micro; ++m) {
      dist.set_sync(m == micro - 1);
      (loss_of(*net, data.rank_x(m, rank), data.rank_y(m, rank)) / micro).backward();
      dist.finish_gradient_sync();  // returns at once while sync is off
    }
    EXPECT_TRUE(dist.sync_enabled());
    EXPECT_LT(max_diff(grads(*net), expected), 1e-9) << "rank " << rank;
  });
}

TEST_P(DistributedRanks, SynchronousAverageMatchesHooks) {
  const int n = GetParam();
  Data data = make_data(1, n, 3);
  auto init = random_init(3);
  auto ref = make_net(init);
  loss_of(*ref, data.x[0], data.y[0]).backward();
  auto expected = grads(*ref);
  run_ranks(n, [&](int rank, Distributed& dist) {
    auto net = make_net(init);
    loss_of(*net, data.rank_x(0, rank), data.rank_y(0, rank)).backward();
    dist.average_gradients(*net);
    EXPECT_LT(max_diff(grads(*net), expected), 1e-9) << "rank " << rank;
  });
}

TEST_P(DistributedRanks, AllReduceSumAddsCountsExactly) {
  const int n = GetParam();
  run_ranks(n, [&](int rank, Distributed& dist) {
    // Counts far above 2^24 must survive: sums are done in float64.
    auto sum = dist.all_reduce_sum({double(rank + 1), 2.5, 1e12 + rank});
    double ranks = n * (n - 1) / 2.0;
    ASSERT_EQ(sum.size(), 3u);
    EXPECT_EQ(sum[0], ranks + n);
    EXPECT_EQ(sum[1], 2.5 * n);
    EXPECT_EQ(sum[2], 1e12 * n + ranks);
    EXPECT_TRUE(dist.all_reduce_sum({}).empty());
  });
}

TEST_P(DistributedRanks, PipelinedSumAnswersOneRoundLateAndAlike) {
  const int n = GetParam();
  run_ranks(n, [&](int rank, Distributed& dist) {
    // Round r: rank k votes 1 only in round k (a "signal" seen by one rank at a time); other
    // collectives may run in between, as a training step's gradient all-reduce does.
    EXPECT_EQ(dist.pipelined_sum(rank == 0 ? 1.0 : 0.0), 0.0);  // nothing before round 0
    for (int round = 1; round <= n; ++round) {
      const double previous = dist.pipelined_sum(rank == round ? 1.0 : 0.0);
      EXPECT_EQ(previous, 1.0) << "rank " << rank << " round " << round;
      EXPECT_EQ(dist.all_reduce_sum({1.0})[0], double(n));
    }
    dist.barrier();  // completes the vote still in flight (round n: nobody voted)
    EXPECT_EQ(dist.pipelined_sum(0.0), 0.0);
    dist.barrier();
  });
}

TEST_P(DistributedRanks, BroadcastCoversBuffersOfEveryDtype) {
  const int n = GetParam();
  run_ranks(n, [&](int rank, Distributed& dist) {
    torch::nn::BatchNorm1d bn(4);
    {
      torch::NoGradGuard no_grad;
      bn->running_mean.fill_(rank + 1.0);
      bn->num_batches_tracked.fill_(10 * (rank + 1));  // int64 buffer: its own flat tensor
      bn->weight.fill_(rank + 0.5);
    }
    dist.broadcast_buffers(*bn);
    EXPECT_EQ(bn->running_mean[0].item<float>(), 1.0f);
    EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 10);
    EXPECT_EQ(bn->weight[0].item<float>(), rank + 0.5f);  // buffers only
    dist.broadcast_module(*bn);
    EXPECT_EQ(bn->weight[0].item<float>(), 0.5f);
  });
}

TEST_P(DistributedRanks, BarrierWaitsForEveryRank) {
  const int n = GetParam();
  std::atomic<int> arrived{0};
  run_ranks(n, [&](int rank, Distributed& dist) {
    if (rank == n - 1) std::this_thread::sleep_for(200ms);
    arrived.fetch_add(1);
    dist.barrier();
    EXPECT_EQ(arrived.load(), n) << "rank " << rank << " passed the barrier early";
  });
}

INSTANTIATE_TEST_SUITE_P(WorldSizes, DistributedRanks, ::testing::Values(2, 3));

TEST(Distributed, SingleProcessIsANoOp) {
  Distributed dist;
  EXPECT_EQ(dist.world_size(), 1);
  EXPECT_TRUE(dist.is_main());
  EXPECT_EQ(dist.backend(), "none");
  auto net = make_net(random_init(1));
  loss_of(*net, torch::randn({4, 6}, torch::kDouble), torch::zeros({4}, torch::kLong)).backward();
  auto before = grads(*net);
  dist.attach_gradient_sync(*net);
  dist.finish_gradient_sync();
  dist.average_gradients(*net);
  EXPECT_EQ(max_diff(grads(*net), before), 0.0);
  EXPECT_EQ(dist.all_reduce_sum({1.5, 2}), (std::vector<double>{1.5, 2}));
  EXPECT_EQ(dist.pipelined_sum(3.0), 3.0);
}

// The NCCL twin of this test is in cuda_test.cpp.
TEST(Distributed, GroupOfOneRunsEveryCollectiveThroughGloo) {
  testing::check_group_of_one("cpu", "gloo");
}

TEST(Distributed, RankThatNeverJoinsMakesRendezvousFailWithATimeout) {
  auto dir = rn50::testing::make_temp_dir("rn50-dist");
  auto store = c10::make_intrusive<c10d::FileStore>((dir / "store").string(), 2);
  auto start = Clock::now();
  try {
    Distributed dist(store, 0, 2, "cpu", 700ms);
    FAIL() << "rendezvous without rank 1 succeeded";
  } catch (const core::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("rank 0 of 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did not complete within 0.7 s"), std::string::npos) << msg;
  }
  EXPECT_GE(Clock::now() - start, 650ms);
  EXPECT_LT(Clock::now() - start, 15s);
  std::filesystem::remove_all(dir);
}

TEST(Distributed, StalledPeerMakesACollectiveFailAfterTheTimeout) {
  std::latch rank0_done(1);
  std::string error;
  Clock::duration waited{};
  run_ranks(
      2,
      [&](int rank, Distributed& dist) {
        dist.barrier();  // both connected
        if (rank == 1) {
          rank0_done.wait();  // alive but never joins the collective
          return;
        }
        auto start = Clock::now();
        try {
          dist.all_reduce_sum({1.0});
        } catch (const core::Error& e) {
          error = e.what();
        }
        waited = Clock::now() - start;
        rank0_done.count_down();
      },
      1500ms);
  EXPECT_NE(error.find("rank 0 of 2: all_reduce_sum of 1 values failed"), std::string::npos)
      << error;
  EXPECT_GE(waited, 1400ms);
  EXPECT_LT(waited, 15s);
}

TEST(Distributed, PeerThatGoesAwayFailsTheNextCollectiveQuickly) {
  std::latch rank1_gone(1);
  std::string error;
  Clock::duration waited{};
  run_ranks(
      2,
      [&](int rank, Distributed& dist) {
        dist.all_reduce_sum({1.0});
        if (rank == 1) return;  // Distributed destroyed: its connections close
        std::this_thread::sleep_for(300ms);
        auto start = Clock::now();
        try {
          dist.all_reduce_sum({1.0});
        } catch (const core::Error& e) {
          error = e.what();
        }
        waited = Clock::now() - start;
      },
      30s);
  EXPECT_NE(error.find("all_reduce_sum"), std::string::npos) << error;
  // Connection loss is detected, not waited out.
  EXPECT_LT(waited, 10s);
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(Distributed, ConnectOverTcpStoreFromTorchrunEnvironment) {
  const int port = free_port();
  std::vector<double> sums(2);
  std::vector<std::string> backends(2);
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      try {
        DistEnv env = DistEnv::from_variables({{"RANK", std::to_string(r)},
                                               {"WORLD_SIZE", "2"},
                                               {"MASTER_ADDR", "127.0.0.1"},
                                               {"MASTER_PORT", std::to_string(port)}});
        auto dist = Distributed::connect(env, "cpu", 20s);
        backends[r] = dist->backend();
        sums[r] = dist->all_reduce_sum({r + 1.0})[0];
        dist->barrier();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "rank " << r << ": " << e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sums, (std::vector<double>{3.0, 3.0}));
  EXPECT_EQ(backends[0], "gloo");
}

TEST(Distributed, ConnectWithoutTheOtherRankTimesOut) {
  DistEnv env = DistEnv::from_variables({{"RANK", "0"},
                                         {"WORLD_SIZE", "2"},
                                         {"MASTER_ADDR", "127.0.0.1"},
                                         {"MASTER_PORT", std::to_string(free_port())}});
  auto start = Clock::now();
  try {
    Distributed::connect(env, "cpu", 1500ms);
    FAIL() << "connect without rank 1 succeeded";
  } catch (const core::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("rank 0 of 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did not complete within 1.5 s"), std::string::npos) << msg;
  }
  EXPECT_GE(Clock::now() - start, 1400ms);  // it really waited for the missing rank
  EXPECT_LT(Clock::now() - start, 15s);
}

TEST(Distributed, CudaDeviceOnACpuBuildIsAUsageError) {
#ifndef RN50_HAVE_CUDA
  auto dir = rn50::testing::make_temp_dir("rn50-dist");
  auto store = c10::make_intrusive<c10d::FileStore>((dir / "store").string(), 2);
  EXPECT_THROW(Distributed(store, 0, 2, "cuda:0", 500ms), core::UsageError);
  std::filesystem::remove_all(dir);
#else
  GTEST_SKIP() << "CUDA build";
#endif
}

// --- DistEnv

TEST(DistEnv, NoVariablesMeansOneProcess) {
  DistEnv env = DistEnv::from_variables({});
  EXPECT_EQ(env.rank, 0);
  EXPECT_EQ(env.world_size, 1);
  EXPECT_EQ(env.master_addr, "127.0.0.1");
  EXPECT_EQ(env.master_port, 29500);
}

TEST(DistEnv, TorchrunVariablesWin) {
  DistEnv env = DistEnv::from_variables({{"RANK", "5"},
                                         {"WORLD_SIZE", "8"},
                                         {"LOCAL_RANK", "1"},
                                         {"LOCAL_WORLD_SIZE", "4"},
                                         {"MASTER_ADDR", "node7"},
                                         {"MASTER_PORT", "1234"},
                                         {"SLURM_PROCID", "0"},
                                         {"SLURM_NTASKS", "2"}});
  EXPECT_EQ(env.rank, 5);
  EXPECT_EQ(env.world_size, 8);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 4);
  EXPECT_EQ(env.describe(), "rank 5 of 8 (local 1 of 4), master node7:1234");
}

TEST(DistEnv, HandLaunchWithoutLocalVariablesIsOneNode) {
  DistEnv env = DistEnv::from_variables({{"RANK", "1"}, {"WORLD_SIZE", "2"}});
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 2);
}

TEST(DistEnv, SlurmFallbacks) {
  DistEnv env = DistEnv::from_variables({{"SLURM_PROCID", "3"},
                                         {"SLURM_NTASKS", "4"},
                                         {"SLURM_LOCALID", "1"},
                                         {"SLURM_TASKS_PER_NODE", "2(x2)"},
                                         {"SLURM_JOB_NODELIST", "gpu[07-08],cpu1"},
                                         {"SLURM_JOB_ID", "123456"}});
  EXPECT_EQ(env.rank, 3);
  EXPECT_EQ(env.world_size, 4);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 2);
  EXPECT_EQ(env.master_addr, "gpu07");
  EXPECT_EQ(env.master_port, 23456);
}

TEST(DistEnv, BadValuesNameTheVariable) {
  auto message = [](const std::map<std::string, std::string>& vars) {
    try {
      DistEnv::from_variables(vars);
    } catch (const core::UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"RANK", "x"}, {"WORLD_SIZE", "2"}}).find("RANK='x'"), std::string::npos);
  EXPECT_NE(message({{"RANK", "2"}, {"WORLD_SIZE", "2"}}).find("rank = 2"), std::string::npos);
  EXPECT_NE(message({{"RANK", "0"}}).find("WORLD_SIZE is not"), std::string::npos);
  EXPECT_NE(message({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"MASTER_PORT", "70000"}})
                .find("MASTER_PORT = 70000"),
            std::string::npos);
  EXPECT_NE(message({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "29500x"}})
                .find("MASTER_PORT='29500x'"),
            std::string::npos);
}

}  // namespace
}  // namespace rn50::trainer
