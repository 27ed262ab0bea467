#include "trainer/train_step.h"

#include <torch/nn/functional/loss.h>

#include <numeric>

#include "trainer/device.h"

namespace rn50::trainer {
namespace {

namespace F = torch::nn::functional;

Sgd make_sgd(const core::TrainConfig& cfg, ResNet& model) {
  auto groups = split_for_weight_decay(*model, cfg.bn_weight_decay);
  return Sgd(groups.decay, groups.no_decay, cfg.momentum, cfg.nesterov, cfg.weight_decay);
}

}  // namespace

MixupDraw draw_mixup(std::mt19937_64& rng, double alpha, int64_t batch) {
  MixupDraw d;
  // Fresh distributions per draw: they cache values internally, which would make the result
  // depend on more than the engine state.
  std::gamma_distribution<double> g(alpha, 1.0);
  double x = g(rng);
  std::gamma_distribution<double> g2(alpha, 1.0);
  double y = g2(rng);
  d.lam = x + y > 0 ? x / (x + y) : 0.5;
  std::vector<int64_t> idx(static_cast<size_t>(batch));
  std::iota(idx.begin(), idx.end(), 0);
  for (int64_t i = batch - 1; i > 0; --i) {
    std::uniform_int_distribution<int64_t> u(0, i);
    std::swap(idx[size_t(i)], idx[size_t(u(rng))]);
  }
  d.perm = torch::tensor(idx, torch::kLong);
  return d;
}

ResNet make_model(const core::TrainConfig& cfg) {
  ResNetOptions o;
  o.arch = cfg.arch;
  o.num_classes = cfg.num_classes;
  o.zero_init_residual = cfg.zero_init_residual;
  o.stem = cfg.stem;
  o.gemm_1x1 = cfg.conv1x1 == "gemm";
  return ResNet(o);
}

void apply_memory_format(torch::nn::Module& model, const core::TrainConfig& cfg) {
  if (cfg.memory_format != "nhwc") return;
  torch::NoGradGuard g;
  for (auto& p : model.parameters())
    if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
}

TrainStep::TrainStep(const core::TrainConfig& cfg, ResNet model, Distributed& dist,
                     int64_t accumulation)
    : cfg_(cfg),
      model_(std::move(model)),
      dist_(dist),
      accumulation_(accumulation),
      sgd_(make_sgd(cfg, model_)),
      scaler_(cfg.loss_scale_init, cfg.loss_scale_growth, cfg.loss_scale_backoff,
              cfg.loss_scale_interval, amp_policy(cfg).loss_scaling),
      amp_(amp_policy(cfg)),
      device_(device_of(*model_)),
      channels_last_(cfg.memory_format == "nhwc") {}

double TrainStep::run(torch::Tensor images, const torch::Tensor& labels, double lr, bool boundary,
                      const MixupDraw* mix) {
  // Pinned host batches copy asynchronously; the first kernel that reads them waits on the stream.
  images = images.to(device_, /*non_blocking=*/true);
  const torch::Tensor y = labels.to(device_, /*non_blocking=*/true);
  if (channels_last_) images = images.contiguous(at::MemoryFormat::ChannelsLast);
  torch::Tensor perm;
  if (mix) {
    perm = mix->perm.to(device_);
    images = images.mul(mix->lam).add_(images.index_select(0, perm), 1 - mix->lam);
  }
  torch::Tensor logits;
  {
    AutocastScope amp(amp_);
    logits = model_->forward(images);
  }
  logits = logits.to(torch::kFloat);
  auto opts = F::CrossEntropyFuncOptions().label_smoothing(cfg_.label_smoothing);
  torch::Tensor loss = F::cross_entropy(logits, y, opts);
  if (mix) {
    loss =
        loss * mix->lam + F::cross_entropy(logits, y.index_select(0, perm), opts) * (1 - mix->lam);
  }
  dist_.set_sync(boundary);
  torch::Tensor scaled =
      scaler_.scale_loss(accumulation_ > 1 ? loss / double(accumulation_) : loss);
  scaled.backward();
  if (boundary) {
    dist_.finish_gradient_sync();
    bool found_inf = scaler_.unscale(sgd_.params());
    if (!found_inf) sgd_.step(lr);
    scaler_.update(found_inf);
    sgd_.zero_grad();
  }
  return loss.item<double>();
}

}  // namespace rn50::trainer
