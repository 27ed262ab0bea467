#include "trainer/checkpoint.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.h"
#include "core/file_util.h"

namespace rn50::trainer {
namespace {

namespace fs = std::filesystem;

// Archive keys become TorchScript attribute names, which may not contain '.'.
std::string key_of(const std::string& name) {
  std::string out;
  for (char c : name) out += c == '.' ? std::string("__") : std::string(1, c);
  return out;
}

void put(torch::serialize::OutputArchive& ar, const std::string& key, const c10::IValue& v) {
  ar.write(key, v);
}

c10::IValue get(torch::serialize::InputArchive& ar, const std::string& key,
                const std::string& path) {
  c10::IValue v;
  if (!ar.try_read(key, v))
    throw core::UsageError(path + ": not a rn50-exp checkpoint (missing '" + key + "')");
  return v;
}

}  // namespace

void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     const CheckpointState& state) {
  torch::serialize::OutputArchive ar;
  torch::NoGradGuard no_grad;
  for (const auto& p : model.named_parameters()) ar.write(key_of("model." + p.key()), p.value());
  for (const auto& b : model.named_buffers()) ar.write(key_of("model." + b.key()), b.value(), true);
  for (size_t i = 0; i < state.momentum.size(); ++i)
    if (state.momentum[i].defined())
      ar.write(key_of("optim.momentum." + std::to_string(i)), state.momentum[i], true);
  nlohmann::json meta = {{"format", "rn50-checkpoint"},
                         {"version", kCheckpointVersion},
                         {"epoch", state.epoch},
                         {"step", state.step},
                         {"momentum_count", state.momentum.size()},
                         {"loss_scale", state.loss_scale},
                         {"loss_scale_tracker", state.loss_scale_tracker},
                         {"mixup_rng", state.mixup_rng},
                         {"loop", state.loop}};
  put(ar, "meta", c10::IValue(meta.dump()));
  if (state.torch_rng.defined()) ar.write(key_of("rng.torch_cpu"), state.torch_rng, true);

  const fs::path target(path);
  const fs::path tmp =
      target.parent_path() / (target.filename().string() + ".tmp." + std::to_string(::getpid()));
  try {
    ar.save_to(tmp.string());
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw core::Error("cannot write checkpoint " + tmp.string() + ": " + e.what());
  }
  core::replace_file(tmp, target);  // fsynced: a power loss leaves the old or the new checkpoint
}

CheckpointState load_checkpoint(const std::string& path, torch::nn::Module& model) {
  if (!fs::is_regular_file(path)) throw core::UsageError(path + ": checkpoint not found");
  torch::serialize::InputArchive ar;
  try {
    ar.load_from(path);
  } catch (const std::exception& e) {
    throw core::UsageError(path +
                           ": not a readable checkpoint: " + std::string(e.what()).substr(0, 200));
  }
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(get(ar, "meta", path).toStringRef());
  } catch (const nlohmann::json::exception& e) {
    throw core::UsageError(path + ": corrupt checkpoint metadata: " + e.what());
  }
  if (meta.value("format", "") != "rn50-checkpoint")
    throw core::UsageError(path + ": not a rn50-exp checkpoint");
  if (meta.value("version", 0) != kCheckpointVersion)
    throw core::UsageError(path + ": checkpoint version " + meta["version"].dump() +
                           " is not supported (this build reads version " +
                           std::to_string(kCheckpointVersion) + ")");

  torch::NoGradGuard no_grad;
  auto load_into = [&](const std::string& name, torch::Tensor& dst, bool buffer) {
    torch::Tensor src;
    if (!ar.try_read(key_of("model." + name), src, buffer))
      throw core::UsageError(path + ": checkpoint has no '" + name +
                             "' (different arch or stem than the config?)");
    if (src.sizes() != dst.sizes())
      throw core::UsageError(path + ": '" + name + "' has shape " + c10::str(src.sizes()) +
                             ", the model expects " + c10::str(dst.sizes()));
    dst.copy_(src);
  };
  for (auto& p : model.named_parameters()) load_into(p.key(), p.value(), false);
  for (auto& b : model.named_buffers()) load_into(b.key(), b.value(), true);

  CheckpointState s;
  s.epoch = meta.at("epoch").get<int64_t>();
  s.step = meta.at("step").get<int64_t>();
  s.loss_scale = meta.at("loss_scale").get<double>();
  s.loss_scale_tracker = meta.at("loss_scale_tracker").get<int64_t>();
  s.mixup_rng = meta.at("mixup_rng").get<std::string>();
  s.loop = meta.at("loop");
  s.momentum.resize(meta.at("momentum_count").get<size_t>());
  for (size_t i = 0; i < s.momentum.size(); ++i) {
    torch::Tensor t;
    if (ar.try_read(key_of("optim.momentum." + std::to_string(i)), t, true)) s.momentum[i] = t;
  }
  torch::Tensor rng;
  if (ar.try_read(key_of("rng.torch_cpu"), rng, true)) s.torch_rng = rng;
  return s;
}

}  // namespace rn50::trainer
