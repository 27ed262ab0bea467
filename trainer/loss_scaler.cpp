#include "trainer/loss_scaler.h"

#include <ATen/ATen.h>

namespace rn50::trainer {

LossScaler::LossScaler(double init_scale, double growth_factor, double backoff_factor,
                       int64_t growth_interval, bool enabled)
    : scale_(init_scale),
      growth_(growth_factor),
      backoff_(backoff_factor),
      interval_(growth_interval),
      enabled_(enabled) {}

torch::Tensor LossScaler::scale_loss(const torch::Tensor& loss) const {
  return enabled_ ? loss * scale_ : loss;
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) {
  if (!enabled_) return false;
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return false;
  if (grads.front().is_cuda()) {
    // GradScaler's fused kernel: unscale every gradient and raise one flag on inf/NaN, then a
    // single device-to-host read decides whether the step runs.
    at::Tensor found_inf = at::zeros({1}, grads.front().options().dtype(at::kFloat));
    const at::Tensor inv_scale = at::full({1}, 1.0 / scale_, found_inf.options());
    at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf, inv_scale);
    return found_inf.item<float>() != 0.0f;
  }
  // CPU (no fused kernel in LibTorch 1.13): unscale in fp32 arithmetic with the reciprocal, as
  // GradScaler does, then look for non-finite values in one reduction per tensor.
  at::_foreach_mul_(grads, 1.0 / scale_);
  std::vector<at::Tensor> flags;
  flags.reserve(grads.size());
  for (const auto& g : grads) flags.push_back(g.isfinite().logical_not().any());
  return at::stack(flags).any().item<bool>();
}

void LossScaler::update(bool found_inf) {
  if (!enabled_) return;
  if (found_inf) {
    scale_ *= backoff_;
    growth_tracker_ = 0;
    ++skipped_;
    return;
  }
  if (++growth_tracker_ == interval_) {
    scale_ *= growth_;
    growth_tracker_ = 0;
  }
}

}  // namespace rn50::trainer
