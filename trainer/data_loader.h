// Parallel batch assembly: worker threads fill whole batches into a ring of preallocated
// buffers, at most workers * prefetch batches ahead of the consumer; next() hands batches out in
// sampler order and measures how long the consumer waited.
#pragma once

#include <ATen/core/Tensor.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace rn50::trainer::data {

// Writes one sample as 3 x size x size normalized floats. One instance per worker thread.
// Throws (any std::exception) when the sample cannot be read; what() is the reason.
class SampleReader {
 public:
  virtual ~SampleReader() = default;
  virtual void read(int64_t index, int64_t epoch, float* out) = 0;
};

struct LoaderOptions {
  int64_t batch_size = 32;
  int64_t image_size = 224;
  int64_t workers = 2;
  int64_t prefetch = 2;
  bool fail_on_corrupt = false;
};

struct LoadedBatch {
  at::Tensor images, labels;
  double wait_seconds = 0;
};

class BatchLoader {
 public:
  // labels[i] and names[i] (for problem reports) describe data-set index i.
  BatchLoader(LoaderOptions opt, std::vector<int64_t> labels, std::vector<std::string> names,
              std::function<std::unique_ptr<SampleReader>()> make_reader);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Stops the previous epoch's work, then decodes `order` (this rank's indices, batch k =
  // order[k*B, (k+1)*B)) from batch first_batch on.
  void start(std::vector<int64_t> order, int64_t epoch, int64_t first_batch);
  std::optional<LoadedBatch> next();
  std::vector<std::string> take_problems();

 private:
  struct Slot {
    at::Tensor images, labels;
    int64_t ready = -1;  // batch number held, -1 while being filled
    std::exception_ptr error;
  };
  void stop();
  void work(SampleReader& reader);
  void fill(SampleReader& reader, int64_t batch, Slot& slot);
  // Reads index, or the next readable index after it (wrapping) when it is corrupt.
  int64_t read_or_replace(SampleReader& reader, int64_t index, float* out);
  void ensure_buffers(Slot& slot);

  LoaderOptions opt_;
  std::vector<int64_t> labels_;
  std::vector<std::string> names_;
  std::function<std::unique_ptr<SampleReader>()> make_reader_;
  std::vector<std::unique_ptr<SampleReader>> readers_;  // one per worker, kept across epochs

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot> slots_;
  std::vector<int64_t> order_;
  int64_t epoch_ = 0, num_batches_ = 0;
  int64_t next_claim_ = 0, next_deliver_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;

  std::mutex bad_mu_;
  std::set<int64_t> bad_;  // corrupt indices, reported once
  std::vector<std::string> problems_;
};

}  // namespace rn50::trainer::data
