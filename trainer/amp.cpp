#include "trainer/amp.h"

#include <ATen/autocast_mode.h>

#include "trainer/torch_compat.h"

namespace rn50::trainer {

AmpPolicy amp_policy(const core::TrainConfig& cfg) {
  AmpPolicy p;
  p.autocast = cfg.precision == "amp";
  p.device = cfg.device == "cuda" ? c10::DeviceType::CUDA : c10::DeviceType::CPU;
  const bool fp16 =
      cfg.amp_dtype == "fp16" || (cfg.amp_dtype == "auto" && p.device == c10::DeviceType::CUDA);
  p.dtype = fp16 ? at::kHalf : at::kBFloat16;
  p.loss_scaling = p.autocast && fp16;
  return p;
}

AutocastScope::AutocastScope(const AmpPolicy& policy) : policy_(policy) {
  if (!policy_.autocast) return;
  prev_enabled_ = compat::autocast_enabled(policy_.device);
  prev_dtype_ = compat::autocast_dtype(policy_.device);
  compat::set_autocast(policy_.device, true, policy_.dtype);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!policy_.autocast) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  compat::set_autocast(policy_.device, prev_enabled_, prev_dtype_);
}

}  // namespace rn50::trainer
