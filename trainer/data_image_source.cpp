#include "trainer/data_image_source.h"

#include <fstream>

#include "trainer/data_random.h"
#include "trainer/data_sampler.h"
#include "trainer/data_transforms.h"

namespace rn50::trainer::data {
namespace {

constexpr uint64_t kAugmentStream = 0x6175676D656E7401ull;

void read_bytes(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw JpegError("cannot open file");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(in.tellg());
  if (size < 0) throw JpegError("cannot determine file size");
  in.seekg(0);
  out.resize(static_cast<size_t>(size));
  if (!in.read(out.data(), size)) throw JpegError("read error");
}

class ImageSource final : public BatchSource {
 public:
  ImageSource(const DataOptions& opt, std::shared_ptr<const ImageIndex> index)
      : index_(index),
        sampler_(static_cast<int64_t>(index->paths.size()), opt.batch_size, opt.rank,
                 opt.world_size, opt.train, opt.seed),
        loader_(LoaderOptions{opt.batch_size, opt.image_size, opt.workers, opt.prefetch,
                              opt.fail_on_corrupt},
                index->labels, index->paths, [index, opt] {
                  return std::make_unique<JpegSampleReader>(index, opt.train, opt.image_size,
                                                            opt.seed, opt.crop_scale_min);
                }) {}

  void start_epoch(int64_t epoch, int64_t skip_batches) override {
    loader_.start(sampler_.epoch_indices(epoch), epoch, skip_batches);
  }

  std::optional<Batch> next() override {
    auto b = loader_.next();
    if (!b) return std::nullopt;
    return Batch{std::move(b->images), std::move(b->labels), b->wait_seconds};
  }

  int64_t batches_per_epoch() const override { return sampler_.batches_per_epoch(); }
  int64_t images_per_epoch() const override { return sampler_.images_per_epoch(); }
  int64_t num_classes() const override { return index_->num_classes; }
  std::vector<std::string> take_problems() override { return loader_.take_problems(); }

 private:
  std::shared_ptr<const ImageIndex> index_;
  ShardSampler sampler_;
  BatchLoader loader_;
};

}  // namespace

JpegSampleReader::JpegSampleReader(std::shared_ptr<const ImageIndex> index, bool train,
                                   int64_t image_size, uint64_t seed, double crop_scale_min)
    : index_(std::move(index)),
      train_(train),
      image_size_(static_cast<int>(image_size)),
      seed_(seed),
      crop_scale_min_(crop_scale_min) {}

void JpegSampleReader::read(int64_t index, int64_t epoch, float* out) {
  read_bytes(index_->paths[static_cast<size_t>(index)], bytes_);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes_.data());
  const auto header = decoder_.read_header(data, bytes_.size());
  CropBox box;
  bool flip = false;
  if (train_) {
    SplitMix64 rng(derive_key(derive_key(seed_ ^ kAugmentStream, static_cast<uint64_t>(epoch)),
                              static_cast<uint64_t>(index)));
    box = random_resized_crop(header.width, header.height, rng, crop_scale_min_);
    flip = rng.uniform() < 0.5;
  } else {
    box = center_crop(header.width, header.height, image_size_);
  }
  last_scale_ =
      decoder_.choose_scale(header.width, header.height, box.w, box.h, image_size_, image_size_);
  decoder_.decode(data, bytes_.size(), last_scale_, image_);
  const double sx = static_cast<double>(image_.width) / header.width;
  const double sy = static_cast<double>(image_.height) / header.height;
  resample_normalize(image_, {box.x * sx, box.y * sy, box.w * sx, box.h * sy}, image_size_, flip,
                     out);
}

std::unique_ptr<BatchSource> make_image_source(const DataOptions& opt, ImageIndex index) {
  return std::make_unique<ImageSource>(opt, std::make_shared<const ImageIndex>(std::move(index)));
}

}  // namespace rn50::trainer::data
