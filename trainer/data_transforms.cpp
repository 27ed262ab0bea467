#include "trainer/data_transforms.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace rn50::trainer::data {
namespace {

// Resampling weights of one axis: output i reads in[start[i] .. start[i] + taps) with
// weight[i * taps + k]; weights of each output sum to 1.
struct AxisFilter {
  int taps = 0;
  std::vector<int> start;
  std::vector<float> weight;
};

// Maps output pixel centers into [offset, offset + extent) of an axis of in_size pixels.
AxisFilter make_filter(double offset, double extent, int in_size, int out_size) {
  AxisFilter f;
  const double scale = extent / out_size;
  const double support = std::max(scale, 1.0);  // triangle radius, in input pixels
  // floor(c + s + .5) - floor(c - s + .5) <= ceil(2s): the widest window a center can have.
  f.taps = std::min(static_cast<int>(std::ceil(2 * support)), in_size);
  f.start.resize(out_size);
  f.weight.assign(static_cast<size_t>(out_size) * f.taps, 0.f);
  std::vector<double> w(static_cast<size_t>(f.taps) + 1);
  for (int i = 0; i < out_size; ++i) {
    const double center = offset + (i + 0.5) * scale;
    int lo = static_cast<int>(std::floor(center - support + 0.5));
    int hi = static_cast<int>(std::floor(center + support + 0.5));  // exclusive
    lo = std::clamp(lo, 0, in_size - 1);
    hi = std::clamp(hi, lo + 1, in_size);
    if (hi - lo > f.taps) hi = lo + f.taps;
    double sum = 0;
    for (int j = lo; j < hi; ++j) {
      const double d = std::abs((j + 0.5 - center) / support);
      w[j - lo] = d < 1 ? 1 - d : 0;
      sum += w[j - lo];
    }
    if (sum <= 0) {  // center outside every tap's reach: nearest pixel
      lo = std::clamp(static_cast<int>(center), 0, in_size - 1);
      hi = lo + 1;
      w[0] = sum = 1;
    }
    // Keep every window inside the image with `taps` entries so the inner loops have no
    // bounds checks: shift the window left at the right edge, zero-padding the weights.
    int s = std::min(lo, in_size - f.taps);
    if (s < 0) s = 0;
    f.start[i] = s;
    for (int j = lo; j < hi; ++j)
      if (j - s < f.taps) f.weight[static_cast<size_t>(i) * f.taps + (j - s)] = w[j - lo] / sum;
  }
  return f;
}

}  // namespace

CropBox random_resized_crop(int width, int height, SplitMix64& rng, double scale_min,
                            double scale_max, double ratio_min, double ratio_max) {
  const double area = static_cast<double>(width) * height;
  const double log_lo = std::log(ratio_min), log_hi = std::log(ratio_max);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * rng.uniform(scale_min, scale_max);
    const double aspect = std::exp(rng.uniform(log_lo, log_hi));
    const int w = static_cast<int>(std::nearbyint(std::sqrt(target * aspect)));
    const int h = static_cast<int>(std::nearbyint(std::sqrt(target / aspect)));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      const auto y = static_cast<int>(rng.below(static_cast<uint64_t>(height - h + 1)));
      const auto x = static_cast<int>(rng.below(static_cast<uint64_t>(width - w + 1)));
      return {double(x), double(y), double(w), double(h)};
    }
  }
  const double in_ratio = static_cast<double>(width) / height;
  int w = width, h = height;
  if (in_ratio < ratio_min) {
    h = static_cast<int>(std::nearbyint(w / ratio_min));
  } else if (in_ratio > ratio_max) {
    w = static_cast<int>(std::nearbyint(h * ratio_max));
  }
  return {double((width - w) / 2), double((height - h) / 2), double(w), double(h)};
}

CropBox center_crop(int width, int height, int size, double crop_fraction) {
  const int resize = static_cast<int>(std::nearbyint(size / crop_fraction));
  // torchvision Resize(int): the shorter side becomes `resize`, the other is truncated.
  int rw, rh;
  if (width <= height) {
    rw = resize;
    rh = static_cast<int>(static_cast<int64_t>(resize) * height / width);
  } else {
    rh = resize;
    rw = static_cast<int>(static_cast<int64_t>(resize) * width / height);
  }
  const double sx = static_cast<double>(rw) / width, sy = static_cast<double>(rh) / height;
  const int left = static_cast<int>(std::nearbyint((rw - size) / 2.0));
  const int top = static_cast<int>(std::nearbyint((rh - size) / 2.0));
  return {left / sx, top / sy, size / sx, size / sy};
}

void resample_normalize(const RgbImage& img, const CropBox& box, int size, bool flip, float* out) {
  const AxisFilter fx = make_filter(box.x, box.w, img.width, size);
  const AxisFilter fy = make_filter(box.y, box.h, img.height, size);
  // Source rows the vertical pass reads.
  const int row0 = fy.start.front();
  const int row1 = std::min(img.height, fy.start.back() + fy.taps);
  // Horizontal pass into an interleaved float buffer of (row1 - row0) x size x 3.
  thread_local std::vector<float> tmp;
  tmp.resize(static_cast<size_t>(row1 - row0) * size * 3);
  const int stride = img.width * 3;
  for (int r = row0; r < row1; ++r) {
    const uint8_t* src = img.pixels.data() + static_cast<size_t>(r) * stride;
    float* dst = tmp.data() + static_cast<size_t>(r - row0) * size * 3;
    for (int i = 0; i < size; ++i) {
      const uint8_t* p = src + fx.start[i] * 3;
      const float* w = fx.weight.data() + static_cast<size_t>(i) * fx.taps;
      float a = 0, b = 0, c = 0;
      for (int k = 0; k < fx.taps; ++k) {
        a += w[k] * p[3 * k];
        b += w[k] * p[3 * k + 1];
        c += w[k] * p[3 * k + 2];
      }
      const int o = flip ? size - 1 - i : i;
      dst[3 * o] = a;
      dst[3 * o + 1] = b;
      dst[3 * o + 2] = c;
    }
  }
  // Vertical pass, normalizing into planar output.
  const size_t plane = static_cast<size_t>(size) * size;
  float mul[3], add[3];
  for (int c = 0; c < 3; ++c) {
    mul[c] = 1.f / (255.f * kStd[c]);
    add[c] = -kMean[c] / kStd[c];
  }
  thread_local std::vector<float> row;
  row.resize(static_cast<size_t>(size) * 3);
  for (int j = 0; j < size; ++j) {
    std::fill(row.begin(), row.end(), 0.f);
    const float* w = fy.weight.data() + static_cast<size_t>(j) * fy.taps;
    for (int k = 0; k < fy.taps; ++k) {
      const float wk = w[k];
      if (wk == 0.f) continue;
      const float* src = tmp.data() + static_cast<size_t>(fy.start[j] + k - row0) * size * 3;
      for (int i = 0; i < size * 3; ++i) row[i] += wk * src[i];
    }
    for (int c = 0; c < 3; ++c) {
      float* o = out + c * plane + static_cast<size_t>(j) * size;
      for (int i = 0; i < size; ++i) o[i] = row[3 * i + c] * mul[c] + add[c];
    }
  }
}

void resize_u8(const uint8_t* src, int src_w, int src_h, int channels, uint8_t* dst, int dst_w,
               int dst_h) {
  const AxisFilter fx = make_filter(0, src_w, src_w, dst_w);
  const AxisFilter fy = make_filter(0, src_h, src_h, dst_h);
  std::vector<float> tmp(static_cast<size_t>(src_h) * dst_w * channels);
  for (int r = 0; r < src_h; ++r)
    for (int i = 0; i < dst_w; ++i)
      for (int c = 0; c < channels; ++c) {
        float acc = 0;
        for (int k = 0; k < fx.taps; ++k)
          acc += fx.weight[static_cast<size_t>(i) * fx.taps + k] *
                 src[(static_cast<size_t>(r) * src_w + fx.start[i] + k) * channels + c];
        tmp[(static_cast<size_t>(r) * dst_w + i) * channels + c] = acc;
      }
  for (int j = 0; j < dst_h; ++j)
    for (int i = 0; i < dst_w; ++i)
      for (int c = 0; c < channels; ++c) {
        float acc = 0;
        for (int k = 0; k < fy.taps; ++k)
          acc += fy.weight[static_cast<size_t>(j) * fy.taps + k] *
                 tmp[(static_cast<size_t>(fy.start[j] + k) * dst_w + i) * channels + c];
        dst[(static_cast<size_t>(j) * dst_w + i) * channels + c] =
            static_cast<uint8_t>(std::clamp(std::lround(acc), 0L, 255L));
      }
}

}  // namespace rn50::trainer::data
