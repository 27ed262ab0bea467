#include "trainer/data_synthetic.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

#include "trainer/data_random.h"
#include "trainer/data_sampler.h"

namespace rn50::trainer::data {
namespace {

// Keeps the label stream apart from the shuffle stream that uses the same seed.
constexpr uint64_t kLabelStream = 0x6C6162656C730001ull;
constexpr int64_t kPoolBatches = 4;
constexpr int64_t kPoolBytes = int64_t{256} << 20;

class SyntheticSource final : public BatchSource {
 public:
  explicit SyntheticSource(const DataOptions& opt)
      : opt_(opt),
        sampler_(opt.synthetic_images, opt.batch_size, opt.rank, opt.world_size, opt.train,
                 opt.seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(opt.seed);
    // A few distinct batches, but never more than ~256 MB (batch 256 at 224 px is 154 MB).
    const int64_t batch_bytes = opt.batch_size * 3 * opt.image_size * opt.image_size * 4;
    const int64_t pool = std::clamp<int64_t>(
        std::min(sampler_.batches_per_epoch(), kPoolBytes / batch_bytes), 1, kPoolBatches);
    for (int64_t i = 0; i < pool; ++i)
      pool_.push_back(at::randn({opt.batch_size, 3, opt.image_size, opt.image_size}, gen,
                                at::TensorOptions().dtype(at::kFloat)));
  }

  void start_epoch(int64_t epoch, int64_t skip_batches) override {
    indices_ = sampler_.epoch_indices(epoch);
    next_batch_ = std::clamp<int64_t>(skip_batches, 0, sampler_.batches_per_epoch());
  }

  std::optional<Batch> next() override {
    if (next_batch_ >= sampler_.batches_per_epoch()) return std::nullopt;
    const int64_t b = opt_.batch_size;
    const int64_t begin = next_batch_ * b;
    const int64_t count = std::min<int64_t>(b, static_cast<int64_t>(indices_.size()) - begin);
    Batch out;
    out.labels = at::empty({count}, at::TensorOptions().dtype(at::kLong));
    auto* lab = out.labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < count; ++i)
      lab[i] =
          synthetic_label(opt_.seed, indices_[static_cast<size_t>(begin + i)], opt_.num_classes);
    const auto& img = pool_[static_cast<size_t>(next_batch_) % pool_.size()];
    out.images = count == b ? img : img.narrow(0, 0, count);
    ++next_batch_;
    return out;
  }

  int64_t batches_per_epoch() const override { return sampler_.batches_per_epoch(); }
  int64_t images_per_epoch() const override { return sampler_.images_per_epoch(); }
  int64_t num_classes() const override { return opt_.num_classes; }
  std::vector<std::string> take_problems() override { return {}; }

 private:
  DataOptions opt_;
  ShardSampler sampler_;
  std::vector<at::Tensor> pool_;
  std::vector<int64_t> indices_;
  int64_t next_batch_ = 0;
};

}  // namespace

int64_t synthetic_label(uint64_t seed, int64_t index, int64_t num_classes) {
  return static_cast<int64_t>(derive_key(seed ^ kLabelStream, static_cast<uint64_t>(index)) %
                              static_cast<uint64_t>(num_classes));
}

std::unique_ptr<BatchSource> make_synthetic_source(const DataOptions& opt) {
  return std::make_unique<SyntheticSource>(opt);
}

}  // namespace rn50::trainer::data
