// The boundary between the data pipeline (trainer/data_*) and the training loop.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rn50::trainer {

struct Batch {
  torch::Tensor images;     // float32 NCHW, normalized (ImageNet mean/std), contiguous
  torch::Tensor labels;     // int64 [N]
  double wait_seconds = 0;  // time the consumer blocked in next() for this batch
};

struct DataOptions {
  std::string backend = "folder";  // folder | list | synthetic
  std::string root;                // dataset root: folder has train/ val/; list has *_list.txt
  bool train = true;               // train split (random augmentation, drop-last) or val
  int64_t image_size = 224;
  double crop_scale_min = 0.08;  // RandomResizedCrop area range [crop_scale_min, 1]
  int64_t batch_size = 32;       // per rank
  int64_t workers = 2;           // decoding threads
  int64_t prefetch = 2;          // batches ready ahead, per worker
  uint64_t seed = 0;
  int64_t rank = 0, world_size = 1;
  int64_t synthetic_images = 1024;  // synthetic backend: images per epoch (all ranks)
  int64_t num_classes = 1000;       // synthetic backend only
  bool fail_on_corrupt = false;     // false: skip a corrupt image, report it once
};

// One pass over a shard of the data set per epoch.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Starts an epoch: the order is a function of (seed, epoch) only; skip_batches resumes
  // mid-epoch after a checkpoint.
  virtual void start_epoch(int64_t epoch, int64_t skip_batches = 0) = 0;
  // Next batch of this rank, or nullopt at the end of the epoch.
  virtual std::optional<Batch> next() = 0;
  virtual int64_t batches_per_epoch() const = 0;  // for this rank
  virtual int64_t images_per_epoch() const = 0;   // for this rank (val: exact shard size)
  virtual int64_t num_classes() const = 0;
  // Corrupt/unreadable files met so far (paths with reasons), for the run log.
  virtual std::vector<std::string> take_problems() = 0;
};

// Throws core::UsageError naming the folder/file for a missing data folder, empty class
// folders, a malformed list file.
std::unique_ptr<BatchSource> make_batch_source(const DataOptions& opt);

}  // namespace rn50::trainer
