#include "trainer/torch_info.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>
#include <torch/version.h>

namespace rn50::trainer {

TorchInfo torch_info() {
  TorchInfo info;
  info.torch_version = TORCH_VERSION;
  info.cuda_available = torch::cuda::is_available();
  if (info.cuda_available) info.cuda_device_count = static_cast<int>(torch::cuda::device_count());
  info.parallel_info = at::get_parallel_info();
  return info;
}

}  // namespace rn50::trainer
