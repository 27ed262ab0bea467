#include "trainer/optim_sgd.h"

#include <ATen/ATen.h>

namespace rn50::trainer {

Sgd::Sgd(std::vector<torch::Tensor> decay, std::vector<torch::Tensor> no_decay, double momentum,
         bool nesterov, double weight_decay)
    : momentum_(momentum), weight_decay_(weight_decay), nesterov_(nesterov) {
  n_decay_ = decay.size();
  params_ = std::move(decay);
  params_.insert(params_.end(), no_decay.begin(), no_decay.end());
  buffers_.resize(params_.size());
}

void Sgd::zero_grad() {
  for (auto& p : params_) p.mutable_grad() = torch::Tensor();
}

void Sgd::step(double lr) {
  torch::NoGradGuard no_grad;
  update(0, n_decay_, lr, weight_decay_);
  update(n_decay_, params_.size(), lr, 0.0);
}

void Sgd::update(size_t begin, size_t end, double lr, double wd) {
  std::vector<at::Tensor> params, grads, bufs, fresh_params, fresh_grads;
  std::vector<size_t> fresh_index;
  for (size_t i = begin; i < end; ++i) {
    const auto& g = params_[i].grad();
    if (!g.defined()) continue;
    if (momentum_ != 0 && !buffers_[i].defined()) {
      fresh_index.push_back(i);
      fresh_params.push_back(params_[i]);
      fresh_grads.push_back(g);
    } else {
      params.push_back(params_[i]);
      grads.push_back(g);
      if (momentum_ != 0) bufs.push_back(buffers_[i]);
    }
  }
  // The gradient is scratch after backward (zero_grad follows), so decay is added in place.
  auto decay = [&](std::vector<at::Tensor>& gs, std::vector<at::Tensor>& ps) {
    if (wd != 0 && !gs.empty()) at::_foreach_add_(gs, ps, wd);
  };
  decay(grads, params);
  decay(fresh_grads, fresh_params);
  if (momentum_ == 0) {
    if (!params.empty()) at::_foreach_add_(params, grads, -lr);
    return;
  }
  // First step: PyTorch initialises the buffer with the gradient itself.
  for (size_t k = 0; k < fresh_index.size(); ++k) {
    buffers_[fresh_index[k]] = fresh_grads[k].clone().detach();
    params.push_back(fresh_params[k]);
    grads.push_back(fresh_grads[k]);
    bufs.push_back(buffers_[fresh_index[k]]);
  }
  if (params.empty()) return;
  if (fresh_index.size() < params.size()) {
    // Existing buffers: buf = momentum * buf + grad (the fresh ones already equal grad).
    std::vector<at::Tensor> old_bufs(bufs.begin(), bufs.end() - fresh_index.size());
    std::vector<at::Tensor> old_grads(grads.begin(), grads.end() - fresh_index.size());
    at::_foreach_mul_(old_bufs, momentum_);
    at::_foreach_add_(old_bufs, old_grads, 1.0);
  }
  if (nesterov_) {
    at::_foreach_add_(grads, bufs, momentum_);  // grad + momentum * buf
    at::_foreach_add_(params, grads, -lr);
  } else {
    at::_foreach_add_(params, bufs, -lr);
  }
}

}  // namespace rn50::trainer
