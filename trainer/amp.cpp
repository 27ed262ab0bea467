#include "trainer/amp.h"

#include <ATen/autocast_mode.h>

namespace rn50::trainer {

AutocastScope::AutocastScope(bool enabled, const std::string& device)
    : enabled_(enabled), cuda_(device == "cuda") {
  if (!enabled_) return;
  if (cuda_) {
#ifdef RN50_HAVE_CUDA
    prev_ = at::autocast::is_enabled();
    at::autocast::set_autocast_gpu_dtype(at::kHalf);
    at::autocast::set_enabled(true);
#endif
  } else {
    prev_ = at::autocast::is_cpu_enabled();
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (cuda_) {
#ifdef RN50_HAVE_CUDA
    at::autocast::set_enabled(prev_);
#endif
  } else {
    at::autocast::set_cpu_enabled(prev_);
  }
}

}  // namespace rn50::trainer
