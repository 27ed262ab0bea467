#include "trainer/torch_info.h"

#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <torch/torch.h>

#ifdef RN50_HAVE_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include "trainer/torch_compat.h"

namespace rn50::trainer {
namespace {

// CUDA's and cuDNN's integer versions: 12040 -> "12.4", 90100 -> "9.1.0".
std::string cuda_text(long v) {
  return v <= 0 ? "" : std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}
std::string cudnn_text(long v) {
  if (v <= 0) return "";
  if (v >= 90000)  // cuDNN 9: major * 10000 + minor * 100 + patch
    return std::to_string(v / 10000) + "." + std::to_string(v % 10000 / 100) + "." +
           std::to_string(v % 100);
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 100) + "." +
         std::to_string(v % 100);
}

#ifdef RN50_HAVE_CUDA
// NCCL's own C entry point, found in the libnccl that LibTorch's CUDA library loaded: no NCCL
// header or link line needed, and stable across NCCL releases (22703 -> "2.27.3").
std::string nccl_text() {
  using GetVersion = int (*)(int*);
  auto get = reinterpret_cast<GetVersion>(dlsym(RTLD_DEFAULT, "ncclGetVersion"));
  int v = 0;
  if (!get || get(&v) != 0 || v <= 0) return "";
  const int major = v >= 10000 ? v / 10000 : v / 1000;
  const int minor = v >= 10000 ? v % 10000 / 100 : v % 1000 / 100;
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(v % 100);
}
#endif

}  // namespace

TorchInfo torch_info() {
  TorchInfo info;
  info.torch_version = compat::compiled_torch_version();
  info.cuda_available = torch::cuda::is_available();
  info.parallel_info = at::get_parallel_info();
  if (!info.cuda_available) return info;
  info.cuda_device_count = static_cast<int>(torch::cuda::device_count());
  const auto& hooks = at::detail::getCUDAHooks();
  info.cuda_version = cuda_text(hooks.versionCUDART());
  info.cudnn_version = cudnn_text(hooks.versionCuDNN());
#ifdef RN50_HAVE_CUDA
  info.nccl_version = nccl_text();
  info.device_name = at::cuda::getDeviceProperties(0)->name;
#endif
  return info;
}

}  // namespace rn50::trainer
