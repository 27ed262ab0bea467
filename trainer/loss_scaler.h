// Dynamic loss scaling with torch.amp.GradScaler's semantics: multiply the loss by `scale`,
// unscale the gradients before the step, skip the step and back off when any gradient is inf/NaN,
// grow after `growth_interval` consecutive good steps. Device-agnostic (works on CPU tensors), so
// its logic is tested without a GPU; the loop only enables it for fp16 autocast on CUDA.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace rn50::trainer {

class LossScaler {
 public:
  LossScaler(double init_scale = 65536.0, double growth_factor = 2.0, double backoff_factor = 0.5,
             int64_t growth_interval = 2000, bool enabled = true);

  bool enabled() const { return enabled_; }
  double scale() const { return enabled_ ? scale_ : 1.0; }
  torch::Tensor scale_loss(const torch::Tensor& loss) const;

  // Divides every defined gradient by the scale in place; returns true when any is inf/NaN.
  bool unscale(const std::vector<torch::Tensor>& params);
  // After a step attempt: back off on overflow (reset the streak), otherwise count a good step
  // and grow the scale once the streak reaches the interval.
  void update(bool found_inf);

  int64_t growth_tracker() const { return growth_tracker_; }
  int64_t skipped_steps() const { return skipped_; }
  // Checkpoint state.
  void load_state(double scale, int64_t growth_tracker) {
    scale_ = scale;
    growth_tracker_ = growth_tracker;
  }

 private:
  double scale_, growth_, backoff_;
  int64_t interval_, growth_tracker_ = 0, skipped_ = 0;
  bool enabled_;
};

}  // namespace rn50::trainer
