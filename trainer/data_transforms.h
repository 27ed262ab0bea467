// ImageNet augmentations, done as one resampling pass per image: the crop box is chosen in the
// original image's coordinates (so the JPEG can be decoded at a reduced scale), then the box is
// resampled straight to the output size with flip and normalization folded in.
#pragma once

#include <cstdint>

#include "trainer/data_jpeg.h"
#include "trainer/data_random.h"

namespace rn50::trainer::data {

// A region of an image in pixel units; fractional after scaling to a reduced decode.
struct CropBox {
  double x = 0, y = 0, w = 0, h = 0;
};

// torchvision RandomResizedCrop(scale=(0.08, 1), ratio=(3/4, 4/3)).get_params: 10 attempts at
// a random area and log-uniform aspect ratio, then a center crop clamped to the ratio range.
// Integer box like torchvision's; rounding is half-to-even like Python's round().
CropBox random_resized_crop(int width, int height, SplitMix64& rng, double scale_min = 0.08,
                            double scale_max = 1.0, double ratio_min = 3.0 / 4.0,
                            double ratio_max = 4.0 / 3.0);

// Evaluation: Resize(shorter side = round(size / crop_fraction)) then CenterCrop(size),
// expressed as the box of the original image that ends up in the output.
CropBox center_crop(int width, int height, int size, double crop_fraction = 0.875);

// ImageNet statistics, in [0, 1] units.
inline constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
inline constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

// Resamples `box` of `img` to size x size with an antialiased bilinear (triangle) filter whose
// support widens with the reduction, like PIL's bilinear resize used by torchvision; mirrors
// left-right when `flip`; writes (pixel/255 - mean) / std as planar float CHW to out.
void resample_normalize(const RgbImage& img, const CropBox& box, int size, bool flip, float* out);

// Same filter, 8-bit interleaved out (channels 1 or 3), whole image: for data set conversion.
void resize_u8(const uint8_t* src, int src_w, int src_h, int channels, uint8_t* dst, int dst_w,
               int dst_h);

}  // namespace rn50::trainer::data
