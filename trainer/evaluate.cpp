#include "trainer/evaluate.h"

#include <torch/nn/functional/loss.h>

#include <chrono>

#include "trainer/amp.h"
#include "trainer/device.h"

namespace rn50::trainer {

std::pair<int64_t, int64_t> count_correct(const torch::Tensor& logits, const torch::Tensor& labels,
                                          int64_t k) {
  k = std::min<int64_t>(k, logits.size(1));
  auto top = std::get<1>(logits.topk(k, 1, /*largest=*/true, /*sorted=*/true));
  auto hit = top.eq(labels.view({-1, 1}));
  int64_t c1 = hit.select(1, 0).sum().item<int64_t>();
  int64_t ck = hit.any(1).sum().item<int64_t>();
  return {c1, ck};
}

EvalStats evaluate(ResNet& model, BatchSource& val, int64_t epoch, Distributed& dist,
                   const EvalOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool was_training = model->is_training();
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Device device = device_of(*model);
  val.start_epoch(epoch);
  int64_t steps = val.batches_per_epoch();
  if (opt.max_steps > 0) steps = std::min(steps, opt.max_steps);
  double c1 = 0, c5 = 0, n = 0, loss_sum = 0;
  for (int64_t step = 0; step < steps; ++step) {
    auto batch = val.next();
    if (!batch) break;
    auto images = batch->images.to(device, /*non_blocking=*/true);
    const auto labels = batch->labels.to(device, /*non_blocking=*/true);
    if (opt.channels_last) images = images.contiguous(at::MemoryFormat::ChannelsLast);
    torch::Tensor logits;
    {
      AutocastScope amp(opt.amp);
      logits = model->forward(images);
    }
    logits = logits.to(torch::kFloat);
    loss_sum +=
        torch::nn::functional::cross_entropy(
            logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .item<double>();
    auto [a, b] = count_correct(logits, labels);
    c1 += double(a);
    c5 += double(b);
    n += double(batch->labels.size(0));
    if (opt.on_step) opt.on_step(step + 1, steps);
  }
  if (was_training) model->train();
  auto sums = dist.all_reduce_sum({c1, c5, n, loss_sum});
  EvalStats s;
  s.correct1 = sums[0];
  s.correct5 = sums[1];
  s.n = sums[2];
  s.loss_sum = sums[3];
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace rn50::trainer
