#include "trainer/data_jpeg.h"

#include <turbojpeg.h>

#include <algorithm>

namespace rn50::trainer::data {
namespace {

std::string tj_error(tjhandle h) { return tjGetErrorStr2(h); }

// TurboJPEG 2.1 can leave a decompressor unusable after a failed call (the next good file then
// fails with the previous file's error), so a failure throws and replaces the handle.
[[noreturn]] void fail_and_reset(void*& handle) {
  const std::string reason = tj_error(handle);
  tjDestroy(handle);
  handle = tjInitDecompress();
  if (!handle) throw JpegError(reason + " (and cannot recreate the TurboJPEG decompressor)");
  throw JpegError(reason);
}

// Adobe writes CMYK JPEGs inverted (0 = full ink), which is what libjpeg hands back.
void cmyk_to_rgb(const uint8_t* cmyk, size_t pixels, uint8_t* rgb) {
  for (size_t i = 0; i < pixels; ++i, cmyk += 4, rgb += 3) {
    const unsigned k = cmyk[3];
    rgb[0] = static_cast<uint8_t>((cmyk[0] * k + 127) / 255);
    rgb[1] = static_cast<uint8_t>((cmyk[1] * k + 127) / 255);
    rgb[2] = static_cast<uint8_t>((cmyk[2] * k + 127) / 255);
  }
}

}  // namespace

int scaled_size(int dimension, ScaleFactor f) {
  return (dimension * f.num + f.denom - 1) / f.denom;
}

JpegDecoder::JpegDecoder() : handle_(tjInitDecompress()) {
  if (!handle_) throw JpegError("cannot create a TurboJPEG decompressor");
  int n = 0;
  const tjscalingfactor* sf = tjGetScalingFactors(&n);
  for (int i = 0; sf && i < n; ++i)
    // Only 1/1, 1/2, 1/4, 1/8: libjpeg-turbo has SIMD IDCTs for those; the other M/8 factors
    // use plain C and decode slower than full size (measured: 7/8 takes 1.5x the time of 8/8
    // on a 500x375 q90 image, 1/2 takes 0.85x; Huffman decoding is the rest).
    if (sf[i].num == 1 &&
        (sf[i].denom == 1 || sf[i].denom == 2 || sf[i].denom == 4 || sf[i].denom == 8))
      factors_.push_back({sf[i].num, sf[i].denom});
  std::sort(factors_.begin(), factors_.end(),
            [](ScaleFactor a, ScaleFactor b) { return a.num * b.denom < b.num * a.denom; });
  if (factors_.empty() || !(factors_.back() == ScaleFactor{1, 1})) factors_.push_back({1, 1});
}

JpegDecoder::~JpegDecoder() { tjDestroy(handle_); }

JpegDecoder::Header JpegDecoder::read_header(const uint8_t* data, size_t size) {
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (size == 0) throw JpegError("empty file");
  if (tjDecompressHeader3(handle_, data, static_cast<unsigned long>(size), &w, &h, &subsamp,
                          &colorspace) != 0)
    fail_and_reset(handle_);
  if (w <= 0 || h <= 0) throw JpegError("JPEG header has no size");
  return {w, h};
}

ScaleFactor JpegDecoder::choose_scale(int width, int height, double crop_w, double crop_h,
                                      int out_w, int out_h) const {
  for (const auto& f : factors_) {
    // The crop measured in the decoded image's pixels (which are rounded up).
    const double sx = static_cast<double>(scaled_size(width, f)) / width;
    const double sy = static_cast<double>(scaled_size(height, f)) / height;
    if (crop_w * sx >= out_w && crop_h * sy >= out_h) return f;
  }
  return {1, 1};
}

void JpegDecoder::decode(const uint8_t* data, size_t size, ScaleFactor scale, RgbImage& out) {
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (size == 0) throw JpegError("empty file");
  if (tjDecompressHeader3(handle_, data, static_cast<unsigned long>(size), &w, &h, &subsamp,
                          &colorspace) != 0)
    fail_and_reset(handle_);
  out.width = scaled_size(w, scale);
  out.height = scaled_size(h, scale);
  out.pixels.resize(static_cast<size_t>(out.width) * out.height * 3);
  // FASTDCT/FASTUPSAMPLE are not used: their error is visible at q90 and the gain is small
  // next to scaled decoding.
  const int flags = TJFLAG_STOPONWARNING;
  const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  uint8_t* dst = out.pixels.data();
  if (cmyk) {
    cmyk_.resize(static_cast<size_t>(out.width) * out.height * 4);
    dst = cmyk_.data();
  }
  if (tjDecompress2(handle_, data, static_cast<unsigned long>(size), dst, out.width, 0, out.height,
                    cmyk ? TJPF_CMYK : TJPF_RGB, flags) != 0)
    fail_and_reset(handle_);
  if (cmyk)
    cmyk_to_rgb(cmyk_.data(), static_cast<size_t>(out.width) * out.height, out.pixels.data());
}

std::string encode_jpeg(const uint8_t* pixels, int width, int height, int channels, int quality) {
  if (channels != 1 && channels != 3) throw JpegError("encode_jpeg: channels must be 1 or 3");
  tjhandle h = tjInitCompress();
  if (!h) throw JpegError("cannot create a TurboJPEG compressor");
  unsigned char* buf = nullptr;
  unsigned long len = 0;
  const int rc = tjCompress2(h, pixels, width, 0, height, channels == 3 ? TJPF_RGB : TJPF_GRAY,
                             &buf, &len, channels == 3 ? TJSAMP_444 : TJSAMP_GRAY, quality, 0);
  std::string out;
  if (rc == 0) out.assign(reinterpret_cast<const char*>(buf), len);
  const std::string err = rc == 0 ? "" : tj_error(h);
  tjFree(buf);
  tjDestroy(h);
  if (rc != 0) throw JpegError("JPEG encoding failed: " + err);
  return out;
}

}  // namespace rn50::trainer::data
