// Gradient all-reduce in buckets, overlapped with backward (the scheme of PyTorch's DDP
// reducer, reduced to what the trainer needs). A post-hook on each parameter's gradient
// accumulator marks it ready; a bucket whose parameters are all ready is flattened and its
// all-reduce launched asynchronously while backward continues on earlier layers.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "trainer/torch_compat.h"

namespace c10d {
class Work;
}  // namespace c10d

namespace torch::autograd {
struct Node;
}

namespace rn50::trainer {

class GradientBuckets {
 public:
  // params: the trainable parameters in registration order. The first bucket is kept small
  // (at most 1 MiB) so communication starts as soon as the last layer's gradients exist.
  GradientBuckets(c10::intrusive_ptr<compat::CommGroup> group, int64_t world_size,
                  std::vector<torch::Tensor> params, int64_t bucket_bytes, std::string who);
  ~GradientBuckets();  // removes the hooks
  GradientBuckets(const GradientBuckets&) = delete;
  GradientBuckets& operator=(const GradientBuckets&) = delete;

  void set_sync(bool enabled);
  bool sync() const;
  // Launches what the hooks did not, waits for every bucket, writes averages into .grad.
  void finish();

  // For tests and logs: how parameters were grouped, bucket by bucket (launch order).
  std::vector<std::vector<size_t>> layout() const;

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into params_
    std::vector<int64_t> offsets;
    int64_t numel = 0;
    torch::Tensor flat;
    std::vector<torch::Tensor> views;  // per parameter: its slice of flat, with its strides
    int64_t pending = 0;               // parameters not yet ready in this round
    bool launched = false;
    c10::intrusive_ptr<c10d::Work> work;
  };

  void on_ready(size_t param);  // called from the autograd engine
  void launch_in_order();       // mutex held
  void launch(Bucket& bucket);  // mutex held
  void reset_round();           // mutex held

  c10::intrusive_ptr<compat::CommGroup> group_;
  int64_t world_size_;
  std::string who_;
  std::vector<torch::Tensor> params_;
  std::vector<size_t> bucket_of_;
  std::vector<char> ready_;
  std::vector<Bucket> buckets_;
  size_t next_launch_ = 0;
  bool sync_ = true;
  std::string error_;  // a parameter that received two gradients in one synced round
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators_;
  std::vector<uintptr_t> hook_keys_;
  mutable std::mutex mutex_;
};

// "what" of an exception without c10's backtrace (error messages stay one readable line).
std::string exception_text(const std::exception& e);

}  // namespace rn50::trainer
