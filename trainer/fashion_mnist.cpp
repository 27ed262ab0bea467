#include "trainer/fashion_mnist.h"

#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "trainer/data_jpeg.h"
#include "trainer/data_transforms.h"

namespace rn50::trainer {
namespace fs = std::filesystem;
namespace {

constexpr int kSide = 28;

struct Split {
  const char* images;
  const char* labels;
  const char* dir;
};
constexpr Split kTrain{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "train"};
constexpr Split kVal{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "val"};

// Whole file, gunzipped (zlib also passes uncompressed files through unchanged).
std::string gunzip_file(const fs::path& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw core::Error("cannot open " + path.string());
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  int err = Z_OK;
  const std::string msg = n < 0 ? gzerror(f, &err) : "";
  gzclose(f);
  if (n < 0) throw core::Error(path.string() + ": gzip data is damaged (" + msg + ")");
  return out;
}

uint32_t big_endian(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

// IDX: magic 0x00000801 (labels) / 0x00000803 (images), then big-endian dimensions.
std::vector<uint8_t> read_idx(const fs::path& path, bool images, int64_t& count) {
  const std::string data = gunzip_file(path);
  const size_t header = images ? 16 : 8;
  const auto bad = [&](const std::string& why) {
    return core::Error(path.string() + ": not a Fashion-MNIST IDX " + (images ? "image" : "label") +
                       " file (" + why + ")");
  };
  if (data.size() < header) throw bad("shorter than its header");
  const uint32_t magic = big_endian(data, 0);
  if (magic != (images ? 0x803u : 0x801u)) throw bad("magic number " + std::to_string(magic));
  count = big_endian(data, 4);
  if (images && (big_endian(data, 8) != kSide || big_endian(data, 12) != kSide))
    throw bad("images are not 28x28");
  const size_t want = header + static_cast<size_t>(count) * (images ? kSide * kSide : 1);
  if (data.size() != want)
    throw bad("expected " + std::to_string(want) + " bytes, found " + std::to_string(data.size()));
  return {data.begin() + static_cast<std::ptrdiff_t>(header), data.end()};
}

nlohmann::json manifest_for(const FashionMnistOptions& opt, int64_t train, int64_t val) {
  nlohmann::json sources = nlohmann::json::array();
  for (const char* f : {kTrain.images, kTrain.labels, kVal.images, kVal.labels})
    sources.push_back({{"file", f}, {"sha256", core::sha256_hex(core::read_file(opt.source / f))}});
  return {{"format", "rn50-exp-dataset/1"},
          {"name", "fashion-mnist"},
          {"size", opt.size},
          {"quality", opt.quality},
          {"train", train},
          {"val", val},
          {"classes", fashion_mnist_classes()},
          {"sources", sources}};
}

// Writes one split into dir; returns the list file's text.
std::string write_split(const FashionMnistOptions& opt, const Split& split, int64_t count,
                        const fs::path& root) {
  int64_t n_images = 0, n_labels = 0;
  const auto pixels = read_idx(opt.source / split.images, true, n_images);
  const auto labels = read_idx(opt.source / split.labels, false, n_labels);
  if (n_images != n_labels)
    throw core::Error(fs::path(opt.source / split.images).string() + " has " +
                      std::to_string(n_images) + " images but " + split.labels + " has " +
                      std::to_string(n_labels) + " labels");
  for (auto l : labels)
    if (l >= fashion_mnist_classes().size())
      throw core::Error((opt.source / split.labels).string() + ": label " + std::to_string(l) +
                        " outside 0..9");
  const auto chosen =
      balanced_subset(labels, count, 10, std::string(split.dir) == "train" ? "--train" : "--val");
  const auto& classes = fashion_mnist_classes();
  for (const auto& c : classes) fs::create_directories(root / split.dir / c);
  std::vector<uint8_t> resized(static_cast<size_t>(opt.size) * opt.size);
  std::vector<uint8_t> rgb(resized.size() * 3);
  std::string list;
  char name[32];
  for (int64_t i : chosen) {
    const uint8_t* src = pixels.data() + static_cast<size_t>(i) * kSide * kSide;
    if (opt.size == kSide) {
      std::copy(src, src + kSide * kSide, resized.begin());
    } else {
      data::resize_u8(src, kSide, kSide, 1, resized.data(), opt.size, opt.size);
    }
    for (size_t p = 0; p < resized.size(); ++p)
      rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = resized[p];
    std::snprintf(name, sizeof name, "%05lld.JPEG", static_cast<long long>(i));
    const uint8_t label = labels[static_cast<size_t>(i)];
    const std::string rel = std::string(split.dir) + "/" + classes[label] + "/" + name;
    const std::string jpg = data::encode_jpeg(rgb.data(), opt.size, opt.size, 3, opt.quality);
    std::ofstream f(root / rel, std::ios::binary);
    if (!(f << jpg) || !f.flush()) throw core::Error("cannot write " + (root / rel).string());
    list += rel + " " + std::to_string(label) + "\n";
  }
  return list;
}

bool is_empty_dir(const fs::path& p) { return fs::is_directory(p) && fs::is_empty(p); }

}  // namespace

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {
      "0_tshirt_top", "1_trouser", "2_pullover", "3_dress", "4_coat",
      "5_sandal",     "6_shirt",   "7_sneaker",  "8_bag",   "9_ankle_boot"};
  return names;
}

std::vector<int64_t> balanced_subset(const std::vector<uint8_t>& labels, int64_t count,
                                     int num_classes, const std::string& what) {
  const auto n = static_cast<int64_t>(labels.size());
  if (count == -1) count = n;
  // Every class gets an image, so the folder layout has no empty class folder.
  if (count < num_classes || count > n)
    throw core::UsageError(what + " " + std::to_string(count) + " is outside " +
                           std::to_string(num_classes) + ".." + std::to_string(n));
  std::vector<int64_t> want(static_cast<size_t>(num_classes));
  for (int c = 0; c < num_classes; ++c) want[c] = count / num_classes + (c < count % num_classes);
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < n; ++i)
    if (want[labels[static_cast<size_t>(i)]]-- > 0) out.push_back(i);
  if (static_cast<int64_t>(out.size()) != count)
    throw core::UsageError(what + " " + std::to_string(count) +
                           ": some class has too few images for a balanced subset");
  return out;
}

FashionMnistResult convert_fashion_mnist(const FashionMnistOptions& opt) {
  if (opt.out.empty()) throw core::UsageError("--out is required");
  if (opt.size < 8 || opt.size > 1024)
    throw core::UsageError("--size " + std::to_string(opt.size) + " is outside 8..1024");
  if (!fs::is_directory(opt.source))
    throw core::UsageError("Fashion-MNIST source folder " + opt.source.string() +
                           " does not exist (apt-get install dataset-fashion-mnist, or --source)");
  for (const char* f : {kTrain.images, kTrain.labels, kVal.images, kVal.labels})
    if (!fs::is_regular_file(opt.source / f))
      throw core::UsageError("Fashion-MNIST source file " + (opt.source / f).string() +
                             " is missing");

  // The requested counts, resolved, are part of the manifest.
  const int64_t train = opt.train == -1 ? 60000 : opt.train;
  const int64_t val = opt.val == -1 ? 10000 : opt.val;
  const nlohmann::json manifest = manifest_for(opt, train, val);
  const fs::path manifest_path = opt.out / "dataset.json";
  if (fs::exists(manifest_path)) {
    nlohmann::json existing;
    try {
      existing = nlohmann::json::parse(core::read_file(manifest_path));
    } catch (const nlohmann::json::exception& e) {
      throw core::UsageError(manifest_path.string() + " is not valid JSON: " + e.what());
    }
    if (existing == manifest) return {true, train, val};
    throw core::UsageError(opt.out.string() + " already holds a different data set (" +
                           manifest_path.string() + " differs); remove it or choose another --out");
  }
  if (fs::exists(opt.out) && !is_empty_dir(opt.out))
    throw core::UsageError(opt.out.string() +
                           " exists and is not an empty folder; refusing to write into it");

  const fs::path parent = opt.out.has_parent_path() ? opt.out.parent_path() : fs::path(".");
  fs::create_directories(parent);
  const fs::path tmp =
      parent / ("." + opt.out.filename().string() + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  try {
    fs::create_directories(tmp);
    core::write_file_atomic(tmp / "train_list.txt", write_split(opt, kTrain, opt.train, tmp));
    core::write_file_atomic(tmp / "val_list.txt", write_split(opt, kVal, opt.val, tmp));
    core::write_file_atomic(tmp / "dataset.json", manifest.dump(2) + "\n");
    if (fs::exists(opt.out)) fs::remove(opt.out);  // the empty folder checked above
    fs::rename(tmp, opt.out);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  return {false, train, val};
}

}  // namespace rn50::trainer
