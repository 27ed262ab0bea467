// 1x1 convolutions of channels_last activations as plain matrix products (oneDNN's GEMM),
// forward and backward.
//
// Why: the convolution primitives ATen calls reorder the weights into a blocked layout on every
// forward, backward-data and backward-weights call, and ATen copies each weight gradient once
// more into channels_last. On NHWC data a 1x1 convolution already is a row-major product
// [N*H*W, C] x [C, O], so a GEMM needs no reorder and writes the weight gradient straight into
// the parameter's layout. ResNet-50 has 36 of its 53 convolutions 1x1. oneDNN's GEMM runs on
// the same OpenMP threads as ATen (OpenBLAS's own threads fight them for the cores).
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <cstdint>

namespace rn50::trainer {

// False when this build has no oneDNN GEMM (then every conv goes through ATen).
bool conv1x1_gemm_built();

// True when `conv` is a 1x1 conv without padding, dilation, groups or bias and `x` is a CPU,
// channels_last float32 batch (bf16 under CPU autocast): the cases conv1x1_gemm computes.
bool conv1x1_gemm_applies(const torch::nn::Conv2dImpl& conv, const torch::Tensor& x);

// conv(x) with the weight of a conv for which conv1x1_gemm_applies; differentiable in x and
// weight. Under CPU autocast the product runs in bf16 with float32 accumulation, the output is
// bf16 (as ATen's conv under autocast) and the weight gradient float32 without a cast pass.
torch::Tensor conv1x1_gemm(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride);

// The classifier: a Linear layer is a 1x1 convolution of a 1x1 image, so the same GEMMs serve it
// (ATen would call OpenBLAS in fp32, whose threads compete with the OpenMP ones).
bool linear_gemm_applies(const torch::nn::LinearImpl& fc, const torch::Tensor& x);
torch::Tensor linear_gemm(const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias);

}  // namespace rn50::trainer
