// Enough of PNG (RFC 2083) to look at a browser screenshot: 8-bit RGB or RGBA, not interlaced,
// IDAT inflated with zlib and the five row filters undone. Returns an error text instead of
// pixels for anything else.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace rn50::testing {

struct PngPixels {
  uint32_t width = 0, height = 0, channels = 0;
  std::vector<uint8_t> data;  // rows of width * channels bytes, filters undone
  std::string error;
};

inline uint32_t png_be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

inline PngPixels decode_png(const std::string& file) {
  PngPixels px;
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (file.compare(0, 8, kSignature) != 0) {
    px.error = "not a PNG (signature)";
    return px;
  }
  std::string idat;
  int bit_depth = 0, color_type = 0, interlace = 0;
  for (size_t at = 8; at + 12 <= file.size();) {
    const uint32_t len = png_be32(file, at);
    const std::string type = file.substr(at + 4, 4);
    if (at + 12 + len > file.size()) {
      px.error = "chunk " + type + " runs past the end";
      return px;
    }
    if (type == "IHDR" && len >= 13) {
      px.width = png_be32(file, at + 8);
      px.height = png_be32(file, at + 12);
      bit_depth = uint8_t(file[at + 16]);
      color_type = uint8_t(file[at + 17]);
      interlace = uint8_t(file[at + 20]);
    } else if (type == "IDAT") {
      idat.append(file, at + 8, len);
    } else if (type == "IEND") {
      break;
    }
    at += 12 + len;
  }
  if (bit_depth != 8 || (color_type != 2 && color_type != 6) || interlace != 0) {
    px.error = "unsupported PNG: depth " + std::to_string(bit_depth) + ", colour type " +
               std::to_string(color_type) + ", interlace " + std::to_string(interlace);
    return px;
  }
  if (px.width == 0 || px.height == 0 || px.width > 20000 || px.height > 40000) {
    px.error = "implausible size";
    return px;
  }
  px.channels = color_type == 6 ? 4 : 3;
  const size_t stride = size_t(px.width) * px.channels;
  std::vector<uint8_t> raw((stride + 1) * px.height);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_len != raw.size()) {
    px.error = "IDAT does not inflate to the image size";
    return px;
  }
  px.data.assign(stride * px.height, 0);
  const size_t bpp = px.channels;
  for (size_t y = 0; y < px.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    uint8_t* out = &px.data[y * stride];
    const uint8_t* up = y ? &px.data[(y - 1) * stride] : nullptr;
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= bpp ? out[i - bpp] : 0, b = up ? up[i] : 0,
                c = (up && i >= bpp) ? up[i - bpp] : 0;
      int v = in[i];
      switch (filter) {
        case 0:
          break;
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) / 2;
          break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          v += (pa <= pb && pa <= pc) ? a : pb <= pc ? b : c;
          break;
        }
        default:
          px.error = "unknown row filter " + std::to_string(filter);
          return px;
      }
      out[i] = uint8_t(v);
    }
  }
  return px;
}

}  // namespace rn50::testing
