// Autocast scopes. CPU: bf16 autocast (LibTorch 1.13: at::autocast::set_cpu_enabled +
// set_autocast_cpu_dtype). CUDA (RN50_HAVE_CUDA builds): fp16 autocast, paired with LossScaler.
#pragma once

#include <string>

namespace rn50::trainer {

// Enables autocast for the forward pass while alive; on destruction restores the previous state
// and clears the autocast weight cache (its casts are only valid within one step).
class AutocastScope {
 public:
  AutocastScope(bool enabled, const std::string& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_, cuda_, prev_ = false;
};

}  // namespace rn50::trainer
