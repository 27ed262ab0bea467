// JPEG decode/encode through libjpeg-turbo's TurboJPEG API. Decoding can be scaled (M/8 in
// the DCT domain), which is most of the pipeline's speed: a crop that will be shrunk to 224 px
// does not need every source pixel (it saves the IDCT work; Huffman decoding stays).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rn50::trainer::data {

// An unreadable or damaged JPEG; what() is the library's reason.
class JpegError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 8-bit interleaved RGB, row-major (HWC).
struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

struct ScaleFactor {
  int num = 1, denom = 1;
  bool operator==(const ScaleFactor&) const = default;
};

// Size of a dimension decoded at a scale factor (TurboJPEG rounds up).
int scaled_size(int dimension, ScaleFactor f);

// One per thread: a TurboJPEG handle is not thread-safe.
class JpegDecoder {
 public:
  JpegDecoder();
  ~JpegDecoder();
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;

  struct Header {
    int width = 0, height = 0;
  };
  Header read_header(const uint8_t* data, size_t size);

  // The strongest reduction among 1/8, 1/4, 1/2 (the factors with fast IDCTs) that leaves a
  // crop_w x crop_h region of the full image at least out_w x out_h pixels, so the final resize
  // never upsamples what a full decode would not have.
  ScaleFactor choose_scale(int width, int height, double crop_w, double crop_h, int out_w,
                           int out_h) const;

  // Decodes to RGB at the scale factor; warnings (e.g. a truncated file) count as errors.
  void decode(const uint8_t* data, size_t size, ScaleFactor scale, RgbImage& out);

 private:
  void* handle_;
  std::vector<ScaleFactor> factors_;  // <= 1, strongest reduction first
  std::vector<uint8_t> cmyk_;
};

// Baseline JPEG of an RGB (channels == 3) or grayscale (channels == 1) image, 4:4:4.
std::string encode_jpeg(const uint8_t* pixels, int width, int height, int channels, int quality);

}  // namespace rn50::trainer::data
