#include "trainer/data_transforms.h"

#include <gtest/gtest.h>

#include <cmath>

#include "data_test_images.h"

namespace rn50::trainer::data {
namespace {

RgbImage make_image(int w, int h, std::vector<uint8_t> px) { return {w, h, std::move(px)}; }

TEST(DataTransforms, RandomResizedCropStaysInsideTheImage) {
  SplitMix64 rng(5);
  const int sizes[][2] = {{500, 375}, {375, 500}, {224, 224}, {3000, 2000}, {33, 900}};
  for (const auto& s : sizes) {
    for (int i = 0; i < 500; ++i) {
      const CropBox b = random_resized_crop(s[0], s[1], rng);
      ASSERT_GE(b.x, 0);
      ASSERT_GE(b.y, 0);
      ASSERT_GT(b.w, 0);
      ASSERT_GT(b.h, 0);
      ASSERT_LE(b.x + b.w, s[0]);
      ASSERT_LE(b.y + b.h, s[1]);
      ASSERT_EQ(b.w, std::floor(b.w));  // integer boxes like torchvision
    }
  }
}

TEST(DataTransforms, RandomResizedCropFollowsScaleAndRatioRanges) {
  SplitMix64 rng(9);
  double min_area = 1, max_area = 0;
  for (int i = 0; i < 2000; ++i) {
    const CropBox b = random_resized_crop(1000, 1000, rng);
    const double area = b.w * b.h / 1e6, ratio = b.w / b.h;
    // Rounding to whole pixels moves area and ratio by a hair.
    EXPECT_GE(area, 0.08 - 0.002);
    EXPECT_LE(area, 1.0);
    EXPECT_GE(ratio, 0.75 - 0.01);
    EXPECT_LE(ratio, 4.0 / 3 + 0.01);
    min_area = std::min(min_area, area);
    max_area = std::max(max_area, area);
  }
  EXPECT_LT(min_area, 0.12);  // the whole range is used
  EXPECT_GT(max_area, 0.9);
}

TEST(DataTransforms, RandomResizedCropFallsBackToAClampedCenterCrop) {
  // No 3/4..4/3 box with >= 8% of the area fits a 1000x10 strip: fallback after 10 attempts.
  SplitMix64 rng(1);
  const CropBox b = random_resized_crop(1000, 10, rng);
  EXPECT_EQ(b.h, 10);
  EXPECT_EQ(b.w, 13);  // round(10 * 4/3)
  EXPECT_EQ(b.x, (1000 - 13) / 2);
  EXPECT_EQ(b.y, 0);
}

TEST(DataTransforms, EvalCenterCropMatchesResizeThenCrop) {
  // 500x375 -> Resize(256) gives 341x256; CenterCrop(224) starts at (58, 16) (round half even).
  const CropBox b = center_crop(500, 375, 224);
  const double sx = 341.0 / 500, sy = 256.0 / 375;
  EXPECT_NEAR(b.x, 58 / sx, 1e-9);
  EXPECT_NEAR(b.y, 16 / sy, 1e-9);
  EXPECT_NEAR(b.w, 224 / sx, 1e-9);
  EXPECT_NEAR(b.h, 224 / sy, 1e-9);
  // Portrait: 375x500 -> 256x341.
  const CropBox p = center_crop(375, 500, 224);
  EXPECT_NEAR(p.w, 224 * 375.0 / 256, 1e-9);
  EXPECT_NEAR(p.y, 58 * 500.0 / 341, 1e-9);
  // Small images: 32 px output from Resize(37).
  const CropBox s = center_crop(28, 28, 32);
  EXPECT_NEAR(s.w, 32 * 28.0 / 37, 1e-9);
}

TEST(DataTransforms, NormalizesWithImageNetStatistics) {
  const RgbImage img = make_image(40, 30, testimg::solid(40, 30, 255, 128, 0));
  std::vector<float> out(3 * 16 * 16);
  resample_normalize(img, {3, 2, 30, 20}, 16, false, out.data());
  const float want[3] = {(1.f - 0.485f) / 0.229f, (128 / 255.f - 0.456f) / 0.224f,
                         (0.f - 0.406f) / 0.225f};
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 256; ++i) ASSERT_NEAR(out[c * 256 + i], want[c], 1e-4) << c << " " << i;
}

TEST(DataTransforms, SameSizeBoxIsAnExactCopy) {
  const RgbImage img = make_image(8, 8, testimg::gradient(8, 8));
  std::vector<float> out(3 * 64);
  resample_normalize(img, {0, 0, 8, 8}, 8, false, out.data());
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x)
      for (int c = 0; c < 3; ++c) {
        const float v = img.pixels[(y * 8 + x) * 3 + c] / 255.f;
        ASSERT_NEAR(out[c * 64 + y * 8 + x], (v - kMean[c]) / kStd[c], 1e-4);
      }
}

TEST(DataTransforms, FlipMirrorsLeftAndRight) {
  const RgbImage img = make_image(8, 8, testimg::gradient(8, 8));  // red grows with x
  std::vector<float> plain(3 * 64), flipped(3 * 64);
  resample_normalize(img, {0, 0, 8, 8}, 8, false, plain.data());
  resample_normalize(img, {0, 0, 8, 8}, 8, true, flipped.data());
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x)
        ASSERT_FLOAT_EQ(flipped[c * 64 + y * 8 + x], plain[c * 64 + y * 8 + (7 - x)]);
  EXPECT_LT(plain[0], plain[7]);
}

TEST(DataTransforms, DownscaleAveragesInsteadOfAliasing) {
  // 1-pixel black/white columns shrunk 4x: an antialiased filter gives mid-grey everywhere.
  std::vector<uint8_t> px(64 * 64 * 3);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x)
      for (int c = 0; c < 3; ++c) px[(y * 64 + x) * 3 + c] = (x % 2) ? 255 : 0;
  const RgbImage img = make_image(64, 64, px);
  std::vector<float> out(3 * 16 * 16);
  resample_normalize(img, {0, 0, 64, 64}, 16, false, out.data());
  for (int i = 0; i < 256; ++i) {
    const float v = out[i] * kStd[0] + kMean[0];  // back to [0, 1]
    ASSERT_NEAR(v, 0.5, 0.08) << i;
  }
}

TEST(DataTransforms, ResizeU8KeepsSolidColorsAndSize) {
  const auto px = testimg::solid(28, 28, 10, 200, 90);
  std::vector<uint8_t> out(32 * 32 * 3);
  resize_u8(px.data(), 28, 28, 3, out.data(), 32, 32);
  for (size_t i = 0; i < out.size(); i += 3) {
    ASSERT_EQ(out[i], 10);
    ASSERT_EQ(out[i + 1], 200);
    ASSERT_EQ(out[i + 2], 90);
  }
}

}  // namespace
}  // namespace rn50::trainer::data
