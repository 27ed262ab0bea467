// Versions of the numerical stack, for run manifests.
#pragma once

#include <string>

namespace rn50::trainer {

struct TorchInfo {
  std::string torch_version;  // e.g. "1.13.0", the version compiled against
  bool cuda_available = false;
  std::string cuda_version;  // empty without CUDA
  std::string cudnn_version;
  std::string nccl_version;
  int cuda_device_count = 0;
  std::string device_name;    // of cuda:0, when there is one
  std::string parallel_info;  // at::get_parallel_info(): OpenMP/MKL/BLAS threads
};

TorchInfo torch_info();

}  // namespace rn50::trainer
