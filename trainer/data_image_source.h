// The folder/list backends: a data-set index, the rank's sampler and the parallel loader.
#pragma once

#include <memory>

#include "trainer/batch_source.h"
#include "trainer/data_datasets.h"
#include "trainer/data_jpeg.h"
#include "trainer/data_loader.h"

namespace rn50::trainer::data {

// Decodes one JPEG file into the training (RandomResizedCrop + flip) or evaluation (resize +
// center crop) view. Augmentation randomness is SplitMix64(derive_key(derive_key(seed ^
// stream, epoch), index)): a function of the image, not of which thread decodes it.
class JpegSampleReader : public SampleReader {
 public:
  JpegSampleReader(std::shared_ptr<const ImageIndex> index, bool train, int64_t image_size,
                   uint64_t seed, double crop_scale_min = 0.08);
  void read(int64_t index, int64_t epoch, float* out) override;

  // Last decode's scale factor, for tests and the benchmark.
  ScaleFactor last_scale() const { return last_scale_; }

 private:
  std::shared_ptr<const ImageIndex> index_;
  bool train_;
  int image_size_;
  uint64_t seed_;
  double crop_scale_min_;
  JpegDecoder decoder_;
  std::string bytes_;
  RgbImage image_;
  ScaleFactor last_scale_;
};

std::unique_ptr<BatchSource> make_image_source(const DataOptions& opt, ImageIndex index);

}  // namespace rn50::trainer::data
