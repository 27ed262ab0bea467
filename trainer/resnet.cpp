#include "trainer/resnet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>

#include <map>

#include "core/error.h"
#include "trainer/conv1x1_gemm.h"

namespace rn50::trainer {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(false));
}

// In-place ReLU: saves one activation-sized allocation per call, as torchvision does.
torch::Tensor inplace_relu(torch::Tensor x) { return x.relu_(); }

torch::Tensor run_conv(nn::Conv2dImpl& c, const torch::Tensor& x, bool gemm_1x1) {
  if (gemm_1x1 && conv1x1_gemm_applies(c, x))
    return conv1x1_gemm(x, c.weight, c.options.stride()->at(0));
  return c.forward(x);
}

// downsample = Sequential(conv 1x1, BatchNorm2d), torchvision's structure and parameter names.
torch::Tensor run_downsample(nn::Sequential& ds, const torch::Tensor& x, bool gemm_1x1) {
  return ds[1]->as<nn::BatchNorm2d>()->forward(run_conv(*ds[0]->as<nn::Conv2d>(), x, gemm_1x1));
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in, int64_t planes, int64_t stride, nn::Sequential ds,
                               bool gemm_1x1)
    : gemm_1x1_(gemm_1x1) {
  conv1 = register_module("conv1", conv(in, planes, 3, stride, 1));
  bn1 = register_module("bn1", nn::BatchNorm2d(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1));
  bn2 = register_module("bn2", nn::BatchNorm2d(planes));
  if (ds) downsample = register_module("downsample", ds);
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  torch::Tensor identity = downsample ? run_downsample(downsample, x, gemm_1x1_) : x;
  torch::Tensor out = inplace_relu(bn1->forward(conv1->forward(x)));
  out = bn2->forward(conv2->forward(out));
  return inplace_relu(out.add_(identity));
}

BottleneckImpl::BottleneckImpl(int64_t in, int64_t planes, int64_t stride, nn::Sequential ds,
                               bool gemm_1x1)
    : gemm_1x1_(gemm_1x1) {
  const int64_t width = planes;
  conv1 = register_module("conv1", conv(in, width, 1, 1, 0));
  bn1 = register_module("bn1", nn::BatchNorm2d(width));
  // v1.5: the stride sits on the 3x3 conv (v1 put it on the first 1x1).
  conv2 = register_module("conv2", conv(width, width, 3, stride, 1));
  bn2 = register_module("bn2", nn::BatchNorm2d(width));
  conv3 = register_module("conv3", conv(width, planes * kExpansion, 1, 1, 0));
  bn3 = register_module("bn3", nn::BatchNorm2d(planes * kExpansion));
  if (ds) downsample = register_module("downsample", ds);
}

torch::Tensor BottleneckImpl::forward(torch::Tensor x) {
  torch::Tensor identity = downsample ? run_downsample(downsample, x, gemm_1x1_) : x;
  torch::Tensor out = inplace_relu(bn1->forward(run_conv(*conv1, x, gemm_1x1_)));
  out = inplace_relu(bn2->forward(conv2->forward(out)));
  out = bn3->forward(run_conv(*conv3, out, gemm_1x1_));
  return inplace_relu(out.add_(identity));
}

template <class Block>
nn::Sequential ResNetImpl::make_layer(int64_t planes, int64_t blocks, int64_t stride) {
  const int64_t expansion = Block::Impl::kExpansion;
  nn::Sequential ds{nullptr};
  if (stride != 1 || inplanes_ != planes * expansion) {
    ds = nn::Sequential(conv(inplanes_, planes * expansion, 1, stride, 0),
                        nn::BatchNorm2d(planes * expansion));
  }
  nn::Sequential layer;
  layer->push_back(Block(inplanes_, planes, stride, ds, opt_.gemm_1x1));
  inplanes_ = planes * expansion;
  for (int64_t i = 1; i < blocks; ++i)
    layer->push_back(Block(inplanes_, planes, 1, nullptr, opt_.gemm_1x1));
  return layer;
}

ResNetImpl::ResNetImpl(const ResNetOptions& opt) : opt_(opt) {
  struct Spec {
    bool bottleneck;
    std::vector<int64_t> blocks;
  };
  static const std::map<std::string, Spec> specs = {
      {"resnet18", {false, {2, 2, 2, 2}}},  {"resnet34", {false, {3, 4, 6, 3}}},
      {"resnet50", {true, {3, 4, 6, 3}}},   {"resnet101", {true, {3, 4, 23, 3}}},
      {"resnet152", {true, {3, 8, 36, 3}}},
  };
  auto it = specs.find(opt.arch);
  if (it == specs.end()) throw core::UsageError("unknown arch '" + opt.arch + "'");
  if (opt.stem != "imagenet" && opt.stem != "cifar")
    throw core::UsageError("unknown stem '" + opt.stem + "'");
  if (opt.num_classes < 1) throw core::UsageError("num_classes must be >= 1");
  const Spec& spec = it->second;

  conv1 =
      register_module("conv1", opt.stem == "cifar" ? conv(3, 64, 3, 1, 1) : conv(3, 64, 7, 2, 3));
  bn1 = register_module("bn1", nn::BatchNorm2d(64));
  const int64_t planes[4] = {64, 128, 256, 512};
  const char* names[4] = {"layer1", "layer2", "layer3", "layer4"};
  nn::Sequential* layers[4] = {&layer1, &layer2, &layer3, &layer4};
  for (int i = 0; i < 4; ++i) {
    int64_t stride = i == 0 ? 1 : 2;
    *layers[i] = register_module(
        names[i], spec.bottleneck ? make_layer<Bottleneck>(planes[i], spec.blocks[i], stride)
                                  : make_layer<BasicBlock>(planes[i], spec.blocks[i], stride));
  }
  fc = register_module("fc", nn::Linear(512 * (spec.bottleneck ? 4 : 1), opt.num_classes));

  // torchvision's init: kaiming fan_out for convs, BN gamma 1 / beta 0; fc keeps Linear's default.
  torch::NoGradGuard no_grad;
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      bn->weight.fill_(1);
      bn->bias.zero_();
    }
  }
  if (opt.zero_init_residual) {
    for (auto* layer : layers) {
      for (auto& child : (*layer)->children()) {
        if (auto* b = child->as<Bottleneck>()) b->last_bn()->weight.zero_();
        if (auto* b = child->as<BasicBlock>()) b->last_bn()->weight.zero_();
      }
    }
  }
}

torch::Tensor ResNetImpl::forward(torch::Tensor x) {
  x = inplace_relu(bn1->forward(conv1->forward(x)));
  if (opt_.stem == "imagenet") x = torch::max_pool2d(x, 3, 2, 1);
  x = layer4->forward(layer3->forward(layer2->forward(layer1->forward(x))));
  x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  if (opt_.gemm_1x1 && linear_gemm_applies(*fc, x)) return linear_gemm(x, fc->weight, fc->bias);
  return fc->forward(x);
}

ParamGroups split_for_weight_decay(torch::nn::Module& model, bool decay_bn_and_bias) {
  ParamGroups g;
  for (auto& m : model.modules(/*include_self=*/true)) {
    const bool is_bn = m->as<nn::BatchNorm2d>() != nullptr;
    for (auto& p : m->named_parameters(/*recurse=*/false)) {
      const bool exempt = is_bn || p.key() == "bias";
      (exempt && !decay_bn_and_bias ? g.no_decay : g.decay).push_back(p.value());
    }
  }
  return g;
}

}  // namespace rn50::trainer
