// Mixed precision: which autocast dtype a config asks for on its device, and the scope that turns
// autocast on for one forward pass. `precision: amp` means bf16 autocast on CPU and fp16 autocast
// with dynamic loss scaling on CUDA (NGC's --amp); `amp_dtype` picks bf16 on CUDA instead (no
// loss scaling: bf16 has fp32's exponent range).
#pragma once

#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>

#include "core/train_config.h"

namespace rn50::trainer {

struct AmpPolicy {
  bool autocast = false;
  c10::DeviceType device = c10::DeviceType::CPU;
  at::ScalarType dtype = at::kBFloat16;
  bool loss_scaling = false;  // fp16 only
};

AmpPolicy amp_policy(const core::TrainConfig& cfg);

// Enables autocast for the forward pass while alive; on destruction restores the previous state
// and clears the autocast weight cache (its casts are only valid within one step).
class AutocastScope {
 public:
  explicit AutocastScope(const AmpPolicy& policy);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  AmpPolicy policy_;
  bool prev_enabled_ = false;
  at::ScalarType prev_dtype_ = at::kBFloat16;
};

}  // namespace rn50::trainer
