// ResNet v1.5 (stride on the 3x3 conv of the bottleneck) for LibTorch with torchvision's
// parameter names (conv1, bn1, layer1.0.downsample.0, fc), so state dicts can be compared key by
// key with Python checkpoints.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rn50::trainer {

struct ResNetOptions {
  std::string arch = "resnet50";  // resnet18|34|50|101|152
  int64_t num_classes = 1000;
  bool zero_init_residual = false;  // last BN of each block starts at gamma = 0
  std::string stem = "imagenet";    // imagenet: 7x7/2 conv + 3x3/2 max pool; cifar: 3x3/1 conv
  bool gemm_1x1 = true;  // 1x1 convs of channels_last batches as GEMMs (see conv1x1_gemm.h)
};

class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 1;
  BasicBlockImpl(int64_t in, int64_t planes, int64_t stride, torch::nn::Sequential downsample,
                 bool gemm_1x1);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::BatchNorm2d last_bn() { return bn2; }

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
  bool gemm_1x1_;
};
TORCH_MODULE(BasicBlock);

class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  BottleneckImpl(int64_t in, int64_t planes, int64_t stride, torch::nn::Sequential downsample,
                 bool gemm_1x1);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::BatchNorm2d last_bn() { return bn3; }

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
  bool gemm_1x1_;
};
TORCH_MODULE(Bottleneck);

class ResNetImpl : public torch::nn::Module {
 public:
  // Throws core::UsageError for an unknown arch or stem.
  explicit ResNetImpl(const ResNetOptions& opt);
  torch::Tensor forward(torch::Tensor x);
  const ResNetOptions& options() const { return opt_; }

 private:
  template <class Block>
  torch::nn::Sequential make_layer(int64_t planes, int64_t blocks, int64_t stride);

  ResNetOptions opt_;
  int64_t inplanes_ = 64;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(ResNet);

// Parameters split for weight decay: BN weights/biases and every bias go to `no_decay` unless
// decay_bn_and_bias is set (NGC --bn-weight-decay).
struct ParamGroups {
  std::vector<torch::Tensor> decay, no_decay;
};
ParamGroups split_for_weight_decay(torch::nn::Module& model, bool decay_bn_and_bias);

}  // namespace rn50::trainer
