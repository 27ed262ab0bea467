// The trainer's configuration: the contract between experiment files (runner), `rn50-exp train`
// and the trainer. Key names follow the seeds (NGC main.py, Enflame train.py); see
// docs/trainer-config.md. Torch-free so the runner can validate without LibTorch.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/source_locator.h"

namespace rn50::core {

struct TrainConfig {
  // --- identity
  std::string run_name;  // label stored with the run
  std::string experiment = "default";

  // --- model
  std::string arch = "resnet50";  // resnet18|34|50|101|152
  int64_t num_classes = 1000;
  bool zero_init_residual = false;  // NGC --last_bn_0_init
  std::string stem = "imagenet";    // imagenet (7x7/2 conv + maxpool) | cifar (3x3/1 conv, no
                                    // maxpool; for 28-64 px images)

  // --- data
  std::string data_backend =
      "folder";      // folder (ImageNet layout) | list (train_list.txt) | synthetic
  std::string data;  // root folder (folder/list backends)
  int64_t image_size = 224;
  double crop_scale_min = 0.08;  // RandomResizedCrop: smallest crop area fraction
  int64_t workers = 4;           // decoding threads
  int64_t prefetch = 2;          // batches queued ahead per worker
  int64_t synthetic_train_images = 1281167;
  int64_t synthetic_val_images = 50000;
  std::string on_corrupt_image = "skip";  // skip (reported) | fail

  // --- loop (names users know from the seeds)
  int64_t epochs = 90;
  int64_t batch_size = 256;              // per device
  int64_t optimizer_batch_size = -1;     // -1: the global batch; larger: gradient accumulation
  int64_t training_step_per_epoch = -1;  // -1 = the whole epoch
  int64_t eval_step_per_epoch = -1;      // -1 = the whole validation set
  int64_t print_freq = 10;
  int64_t skip_steps = 0;  // iterations per epoch excluded from throughput
  int64_t eval_every = 1;  // evaluate every N epochs; 0 = never
  double target_top1 = 0;  // percent; > 0 stops at the first eval reaching it
  uint64_t seed = 0;
  bool deterministic = false;
  int64_t threads = 0;  // intra-op threads; 0 = LibTorch default

  // --- optimization
  std::string optimizer = "sgd";
  double lr = 0.1;          // for the reference batch when lr_scaling is on
  bool lr_scaling = false;  // linear rule: lr * optimizer_batch / lr_reference_batch
  int64_t lr_reference_batch = 256;
  std::string lr_schedule = "step";  // step | cosine | linear | onecycle (docs/trainer-config.md)
  std::vector<double> lr_milestones = {30, 60, 80};  // epochs, for step
  double lr_factor = 0.1;                            // multiplier at each milestone
  double end_lr = 0;                                 // floor for cosine/linear
  double warmup_epochs = 0;                          // linear warmup
  bool lr_per_iteration = false;                     // false: LR changes once per epoch (NGC)
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 1e-4;
  bool bn_weight_decay = false;  // false: no decay on BN parameters and biases
  double label_smoothing = 0;
  double mixup = 0;  // alpha; 0 = off

  // --- precision
  std::string precision = "fp32";  // fp32 | amp (autocast in amp_dtype)
  std::string amp_dtype = "auto";  // auto (CPU: bf16, CUDA: fp16) | fp16 (+ loss scaling) | bf16
  std::string memory_format = "nchw";  // nchw | nhwc (channels_last)
  std::string conv1x1 = "gemm";        // gemm (oneDNN GEMM on channels_last) | aten
  double loss_scale_init = 65536;      // CUDA fp16 only
  double loss_scale_growth = 2;
  double loss_scale_backoff = 0.5;
  int64_t loss_scale_interval = 2000;

  // --- output and checkpoints
  std::string workspace = ".";  // run directory; logs and checkpoints go here
  std::string log_file = "rn50_log.jsonl";
  std::string report_file = "report.json";
  bool save_checkpoints = true;
  std::string checkpoint_file = "checkpoint.pt";
  int64_t checkpoint_every_steps = 0;  // 0 = at the end of each epoch only
  std::string resume;                  // checkpoint path; "auto" = workspace checkpoint if present
  std::string device = "cpu";          // cpu | cuda

  nlohmann::json to_json() const;  // every key, canonical (sorted) order
};

// Strict: unknown keys, wrong types and impossible values throw UsageError with
// loc.where(key) in the message. Missing keys keep the defaults above.
TrainConfig parse_train_config(const nlohmann::json& doc, const SourceLocator& loc,
                               const std::string& key_prefix = "");

}  // namespace rn50::core
