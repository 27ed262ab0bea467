// The device a run computes on and the process-wide settings that go with it. CPU builds know
// only the CPU; CUDA builds (RN50_HAVE_CUDA) map `device: cuda` to the rank's GPU.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include "core/train_config.h"

namespace rn50::trainer {

class Distributed;

// cuda: the GPU of this rank (the process group's device, else cuda:0); cpu otherwise. Throws
// core::UsageError for cuda on a CPU build or on a machine without a visible GPU.
torch::Device select_device(const core::TrainConfig& cfg, const Distributed& dist);

// Makes `device` the current CUDA device and lets cuDNN pick the fastest algorithms per shape
// (NGC's cudnn.benchmark) unless the run asks to be deterministic. Nothing to do on the CPU.
void prepare_device(const torch::Device& device, bool deterministic);

// Where a module's parameters live (the CPU for a module without any).
torch::Device device_of(const torch::nn::Module& module);

// Waits for the work queued on `device` (timing boundaries); a no-op on the CPU.
void synchronize(const torch::Device& device);

}  // namespace rn50::trainer
