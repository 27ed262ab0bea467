#include "trainer/device.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#ifdef RN50_HAVE_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif

#include "core/error.h"
#include "trainer/distributed.h"

namespace rn50::trainer {

torch::Device select_device(const core::TrainConfig& cfg, const Distributed& dist) {
  if (cfg.device != "cuda") return torch::kCPU;
#ifndef RN50_HAVE_CUDA
  throw core::UsageError("device: 'cuda' requested but this rn50-exp was built without CUDA");
#else
  if (!torch::cuda::is_available())
    throw core::UsageError("device: 'cuda' requested but no CUDA device is visible");
  const torch::Device d = dist.device();
  return d.is_cuda() ? d : torch::Device(torch::kCUDA, 0);
#endif
}

void prepare_device(const torch::Device& device, bool deterministic) {
  if (!device.is_cuda()) return;
#ifdef RN50_HAVE_CUDA
  c10::cuda::set_device(device.has_index() ? device.index() : 0);
  at::globalContext().setBenchmarkCuDNN(!deterministic);
#endif
}

torch::Device device_of(const torch::nn::Module& module) {
  for (const auto& p : module.parameters()) return p.device();
  return torch::kCPU;
}

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.has_index() ? device.index() : -1);
}

}  // namespace rn50::trainer
