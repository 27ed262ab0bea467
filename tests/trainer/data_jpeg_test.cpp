#include "trainer/data_jpeg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "data_test_images.h"

namespace rn50::trainer::data {
namespace {

double value(ScaleFactor f) { return static_cast<double>(f.num) / f.denom; }

TEST(DataJpeg, RoundTripStaysWithinTolerance) {
  const int w = 64, h = 48;
  const auto px = testimg::gradient(w, h);
  const std::string jpg = encode_jpeg(px.data(), w, h, 3, 95);
  JpegDecoder dec;
  const auto* data = reinterpret_cast<const uint8_t*>(jpg.data());
  const auto header = dec.read_header(data, jpg.size());
  EXPECT_EQ(header.width, w);
  EXPECT_EQ(header.height, h);
  RgbImage img;
  dec.decode(data, jpg.size(), {1, 1}, img);
  ASSERT_EQ(img.width, w);
  ASSERT_EQ(img.height, h);
  double err = 0;
  int worst = 0;
  for (size_t i = 0; i < px.size(); ++i) {
    const int d = std::abs(int(px[i]) - int(img.pixels[i]));
    err += d;
    worst = std::max(worst, d);
  }
  EXPECT_LT(err / px.size(), 2.0);
  EXPECT_LT(worst, 16);
}

TEST(DataJpeg, ScaledDecodeHalvesTheImageAndKeepsItsContent) {
  const int w = 64, h = 48;
  const auto px = testimg::gradient(w, h);
  const std::string jpg = encode_jpeg(px.data(), w, h, 3, 95);
  JpegDecoder dec;
  RgbImage img;
  dec.decode(reinterpret_cast<const uint8_t*>(jpg.data()), jpg.size(), {1, 2}, img);
  EXPECT_EQ(img.width, 32);
  EXPECT_EQ(img.height, 24);
  // The half-size pixel (x, y) covers source pixels 2x..2x+1: red ramps 0..255 along x.
  const uint8_t* p = &img.pixels[(static_cast<size_t>(10) * 32 + 16) * 3];
  EXPECT_NEAR(p[0], 255.0 * 32.5 / 63, 4);
  EXPECT_NEAR(p[1], 255.0 * 20.5 / 47, 4);
  EXPECT_NEAR(p[2], 128, 3);
}

TEST(DataJpeg, ChoosesTheStrongestReductionTheCropAllows) {
  JpegDecoder dec;
  // Whole 500x375 image to 224: 1/2 would leave 188 rows, and 5/8 (enough) is not offered
  // because it decodes slower than full size.
  EXPECT_DOUBLE_EQ(value(dec.choose_scale(500, 375, 500, 375, 224, 224)), 1.0);
  EXPECT_DOUBLE_EQ(value(dec.choose_scale(1000, 750, 1000, 750, 224, 224)), 1.0 / 2);
  EXPECT_DOUBLE_EQ(value(dec.choose_scale(500, 500, 480, 460, 224, 224)), 1.0 / 2);
  // A crop smaller than the output cannot be reduced.
  EXPECT_DOUBLE_EQ(value(dec.choose_scale(500, 375, 200, 200, 224, 224)), 1.0);
  // Tiny outputs from big images: 1/8.
  EXPECT_DOUBLE_EQ(value(dec.choose_scale(4000, 3000, 3000, 3000, 32, 32)), 1.0 / 8);
}

TEST(DataJpeg, DamagedDataIsAnErrorNotACrash) {
  const auto px = testimg::gradient(64, 48);
  const std::string jpg = encode_jpeg(px.data(), 64, 48, 3, 95);
  JpegDecoder dec;
  RgbImage img;
  const std::string truncated = jpg.substr(0, jpg.size() / 2);
  EXPECT_THROW(
      dec.decode(reinterpret_cast<const uint8_t*>(truncated.data()), truncated.size(), {1, 1}, img),
      JpegError);
  std::string garbage(4096, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919) % 251);
  EXPECT_THROW(dec.read_header(reinterpret_cast<const uint8_t*>(garbage.data()), garbage.size()),
               JpegError);
  EXPECT_THROW(dec.read_header(nullptr, 0), JpegError);
  // The decoder stays usable after errors (TurboJPEG 2.1 needs a fresh handle for that).
  const std::string third = jpg.substr(0, jpg.size() / 3);
  EXPECT_THROW(
      dec.decode(reinterpret_cast<const uint8_t*>(third.data()), third.size(), {1, 1}, img),
      JpegError);
  dec.decode(reinterpret_cast<const uint8_t*>(jpg.data()), jpg.size(), {1, 1}, img);
  EXPECT_EQ(img.width, 64);
}

TEST(DataJpeg, GrayscaleJpegDecodesToEqualChannels) {
  std::vector<uint8_t> gray(32 * 16, 77);
  const std::string jpg = encode_jpeg(gray.data(), 32, 16, 1, 95);
  JpegDecoder dec;
  RgbImage img;
  dec.decode(reinterpret_cast<const uint8_t*>(jpg.data()), jpg.size(), {1, 1}, img);
  ASSERT_EQ(img.pixels.size(), 32u * 16 * 3);
  EXPECT_NEAR(img.pixels[0], 77, 1);
  EXPECT_EQ(img.pixels[0], img.pixels[1]);
  EXPECT_EQ(img.pixels[1], img.pixels[2]);
}

}  // namespace
}  // namespace rn50::trainer::data
