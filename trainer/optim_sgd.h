// SGD with momentum / nesterov and decoupled groups for weight decay, with PyTorch's update rule
// (torch.optim.SGD, dampening 0). Uses the multi-tensor (_foreach) kernels like PyTorch's
// foreach path, so one step is a handful of kernel launches rather than one per parameter.
#pragma once

#include <torch/types.h>

#include <vector>

namespace rn50::trainer {

class Sgd {
 public:
  Sgd(std::vector<torch::Tensor> decay, std::vector<torch::Tensor> no_decay, double momentum,
      bool nesterov, double weight_decay);

  // One update with learning rate `lr`. Parameters without a gradient are skipped.
  void step(double lr);
  // Gradients set to undefined (cheaper than zeroing; backward then writes instead of adds).
  void zero_grad();

  // Momentum buffers in parameter order (undefined until the first step): checkpoint state.
  std::vector<torch::Tensor>& momentum_buffers() { return buffers_; }
  const std::vector<torch::Tensor>& params() const { return params_; }

 private:
  void update(size_t begin, size_t end, double lr, double wd);

  std::vector<torch::Tensor> params_;  // decay group first, then no-decay group
  size_t n_decay_ = 0;
  std::vector<torch::Tensor> buffers_;
  double momentum_, weight_decay_;
  bool nesterov_;
};

}  // namespace rn50::trainer
