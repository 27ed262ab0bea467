#include "trainer/data_loader.h"

#include <ATen/Context.h>
#include <ATen/ops/empty.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/error.h"

namespace rn50::trainer::data {

BatchLoader::BatchLoader(LoaderOptions opt, std::vector<int64_t> labels,
                         std::vector<std::string> names,
                         std::function<std::unique_ptr<SampleReader>()> make_reader)
    : opt_(opt),
      labels_(std::move(labels)),
      names_(std::move(names)),
      make_reader_(std::move(make_reader)),
      slots_(static_cast<size_t>(opt.workers * opt.prefetch)) {
  for (int64_t i = 0; i < opt_.workers; ++i) readers_.push_back(make_reader_());
}

BatchLoader::~BatchLoader() { stop(); }

void BatchLoader::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void BatchLoader::start(std::vector<int64_t> order, int64_t epoch, int64_t first_batch) {
  stop();
  const int64_t b = opt_.batch_size;
  {
    std::lock_guard lock(mu_);
    order_ = std::move(order);
    epoch_ = epoch;
    num_batches_ = (static_cast<int64_t>(order_.size()) + b - 1) / b;
    next_claim_ = next_deliver_ = std::clamp<int64_t>(first_batch, 0, num_batches_);
    for (auto& s : slots_) {
      s.ready = -1;
      s.error = nullptr;
    }
    stopping_ = false;
  }
  for (auto& r : readers_) threads_.emplace_back([this, reader = r.get()] { work(*reader); });
}

void BatchLoader::ensure_buffers(Slot& slot) {
  // A buffer the consumer still holds (directly or through a view) is never overwritten: the
  // slot gets a fresh one instead, and the old one dies with the consumer's last reference.
  const bool reusable = slot.images.defined() && slot.images.use_count() == 1 &&
                        slot.images.storage().use_count() == 1 && slot.labels.use_count() == 1 &&
                        slot.labels.storage().use_count() == 1;
  if (reusable) return;
  const int64_t s = opt_.image_size;
  // Pinned host memory makes the host-to-device copy asynchronous when there is a GPU.
  const bool pin = at::globalContext().hasCUDA();
  slot.images = at::empty({opt_.batch_size, 3, s, s},
                          at::TensorOptions().dtype(at::kFloat).pinned_memory(pin));
  slot.labels =
      at::empty({opt_.batch_size}, at::TensorOptions().dtype(at::kLong).pinned_memory(pin));
}

void BatchLoader::work(SampleReader& reader) {
  const size_t capacity = slots_.size();
  for (;;) {
    int64_t batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        return stopping_ || next_claim_ >= num_batches_ ||
               next_claim_ < next_deliver_ + static_cast<int64_t>(capacity);
      });
      if (stopping_ || next_claim_ >= num_batches_) return;
      batch = next_claim_++;
    }
    Slot& slot = slots_[static_cast<size_t>(batch) % capacity];
    fill(reader, batch, slot);
    {
      std::lock_guard lock(mu_);
      slot.ready = batch;
    }
    cv_.notify_all();
  }
}

void BatchLoader::fill(SampleReader& reader, int64_t batch, Slot& slot) {
  try {
    ensure_buffers(slot);
    const int64_t s = opt_.image_size, b = opt_.batch_size;
    const int64_t begin = batch * b;
    const int64_t end = std::min<int64_t>(begin + b, static_cast<int64_t>(order_.size()));
    float* images = slot.images.data_ptr<float>();
    int64_t* labels = slot.labels.data_ptr<int64_t>();
    for (int64_t i = begin; i < end; ++i) {
      const int64_t used =
          read_or_replace(reader, order_[static_cast<size_t>(i)], images + (i - begin) * 3 * s * s);
      labels[i - begin] = labels_[static_cast<size_t>(used)];
    }
  } catch (...) {
    slot.error = std::current_exception();
  }
}

int64_t BatchLoader::read_or_replace(SampleReader& reader, int64_t index, float* out) {
  const auto n = static_cast<int64_t>(labels_.size());
  for (int64_t tries = 0; tries < n; ++tries) {
    const int64_t i = (index + tries) % n;
    {
      std::lock_guard lock(bad_mu_);
      if (bad_.count(i)) continue;
    }
    try {
      reader.read(i, epoch_, out);
      return i;
    } catch (const std::exception& e) {
      const std::string what = names_[static_cast<size_t>(i)] + ": " + e.what();
      if (opt_.fail_on_corrupt) throw core::Error("unreadable image " + what);
      std::lock_guard lock(bad_mu_);
      if (bad_.insert(i).second) problems_.push_back(what);
    }
  }
  throw core::Error("no readable image in the data set (first: " + names_.front() + ")");
}

std::optional<LoadedBatch> BatchLoader::next() {
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  if (next_deliver_ >= num_batches_) return std::nullopt;
  const int64_t batch = next_deliver_;
  Slot& slot = slots_[static_cast<size_t>(batch) % slots_.size()];
  cv_.wait(lock, [&] { return slot.ready == batch; });
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++next_deliver_;
  slot.ready = -1;
  std::exception_ptr error = std::exchange(slot.error, nullptr);
  LoadedBatch out;
  if (!error) {
    const int64_t count = std::min<int64_t>(
        opt_.batch_size, static_cast<int64_t>(order_.size()) - batch * opt_.batch_size);
    out.images = count == opt_.batch_size ? slot.images : slot.images.narrow(0, 0, count);
    out.labels = count == opt_.batch_size ? slot.labels : slot.labels.narrow(0, 0, count);
    out.wait_seconds = waited;
  }
  lock.unlock();
  cv_.notify_all();
  if (error) std::rethrow_exception(error);
  return out;
}

std::vector<std::string> BatchLoader::take_problems() {
  std::lock_guard lock(bad_mu_);
  return std::exchange(problems_, {});
}

}  // namespace rn50::trainer::data
