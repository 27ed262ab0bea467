// Generated JPEG files for the data pipeline tests (no binary fixtures in the repository).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "trainer/data_jpeg.h"

namespace rn50::trainer::data::testimg {

// Smooth gradients: compress well and survive JPEG nearly unchanged.
inline std::vector<uint8_t> gradient(int w, int h) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &px[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = static_cast<uint8_t>(255 * x / (w - 1));
      p[1] = static_cast<uint8_t>(255 * y / (h - 1));
      p[2] = 128;
    }
  return px;
}

inline std::vector<uint8_t> solid(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < px.size(); i += 3) {
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
  }
  return px;
}

inline void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

inline void write_jpeg(const std::filesystem::path& p, const std::vector<uint8_t>& rgb, int w,
                       int h, int quality = 95) {
  write_bytes(p, encode_jpeg(rgb.data(), w, h, 3, quality));
}

}  // namespace rn50::trainer::data::testimg
