// Data-parallel training over PyTorch's c10d (Gloo on CPU, NCCL on CUDA builds).
// With world size 1 every operation is a cheap no-op, so the loop has one code path.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "trainer/torch_compat.h"

namespace c10d {
class Store;
}  // namespace c10d

namespace rn50::trainer {

// torchrun's contract: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT;
// SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID as fallbacks.
struct DistEnv {
  int64_t rank = 0, world_size = 1, local_rank = 0, local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  static DistEnv from_environment();
  // Same rules over an explicit variable map (tests; from_environment() reads getenv).
  // Throws core::UsageError naming the variable for a malformed or inconsistent value.
  static DistEnv from_variables(const std::map<std::string, std::string>& vars);
  // "rank 1 of 2 (local 1 of 2), master 127.0.0.1:29500" for logs and errors.
  std::string describe() const;
};

class Distributed {
 public:
  // Single process, no process group.
  Distributed();
  // Rendezvous over a TCPStore at master_addr:master_port (rank 0 hosts it).
  static std::unique_ptr<Distributed> connect(const DistEnv& env, const std::string& device,
                                              std::chrono::milliseconds timeout);
  // Over an existing store (tests: several ranks as threads over one FileStore). With
  // `group_of_one`, a world of one rank still gets a process group, so every collective runs
  // through the backend (how a one-GPU machine exercises NCCL).
  Distributed(c10::intrusive_ptr<c10d::Store> store, int64_t rank, int64_t world_size,
              const std::string& device, std::chrono::milliseconds timeout,
              bool group_of_one = false);
  ~Distributed();

  int64_t rank() const { return rank_; }
  int64_t world_size() const { return world_size_; }
  bool is_main() const { return rank_ == 0; }
  // "none" (no process group), "gloo" or "nccl".
  std::string backend() const;
  // The device collectives run on: cuda:<local rank> for NCCL, else the CPU.
  torch::Device device() const;

  // Parameters and buffers from rank 0 to all.
  void broadcast_module(torch::nn::Module& module);
  // Registers gradient hooks so that buckets of gradients are all-reduced (averaged) while
  // backward still runs; finish_gradient_sync() waits for all buckets.
  void attach_gradient_sync(torch::nn::Module& module, int64_t bucket_bytes = 25 << 20);
  void finish_gradient_sync();
  // false on gradient-accumulation micro-batches: hooks do nothing and finish_gradient_sync()
  // returns at once, so gradients keep accumulating locally; true (default) on the last one.
  void set_sync(bool enabled);
  bool sync_enabled() const;
  // Synchronous average of every gradient (used when hooks are not attached).
  void average_gradients(torch::nn::Module& module);
  // Buffers only (BatchNorm running statistics) from rank 0, e.g. before evaluation or a
  // checkpoint so every rank evaluates and saves the same model.
  void broadcast_buffers(torch::nn::Module& module);
  // Element-wise sum across ranks (metrics as sums of counts).
  std::vector<double> all_reduce_sum(const std::vector<double>& values);
  // A sum that never stalls the caller: contributes `value` to an all-reduce started now and
  // returns the sum of the previous call's (0 on the first call; `value` itself on one rank).
  // The previous round has long completed when called once per training step, since the
  // gradient all-reduce in between synchronises the ranks. Every rank sees the same sums in
  // the same calls, so decisions taken on them (stop after this step) agree.
  double pipelined_sum(double value);
  void barrier();  // also completes (and drops) a pipelined_sum in flight

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int64_t rank_ = 0, world_size_ = 1;
};

}  // namespace rn50::trainer
