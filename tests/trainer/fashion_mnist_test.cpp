#include "trainer/fashion_mnist.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_util.h"
#include "test_support.h"
#include "trainer/batch_source.h"
#include "trainer/data_jpeg.h"

namespace rn50::trainer {
namespace {
namespace fs = std::filesystem;

// Debian's location; RN50_FASHION_MNIST_DIR names another (the package unpacked into a prefix).
const fs::path kSource = [] {
  const char* dir = std::getenv("RN50_FASHION_MNIST_DIR");
  return fs::path(dir && *dir ? dir : "/usr/share/datasets/fashion-mnist");
}();

// Debian's dataset-fashion-mnist is a declared dependency: its absence FAILS unless
// RN50_ALLOW_NO_DATASET=1 (then SKIPPED with a message, never silently passed).
#define RN50_REQUIRE_FASHION_MNIST()                                                  \
  do {                                                                                \
    if (!fs::is_directory(kSource)) {                                                 \
      const char* allow = std::getenv("RN50_ALLOW_NO_DATASET");                       \
      if (allow && std::string(allow) == "1")                                         \
        GTEST_SKIP() << kSource << " missing (RN50_ALLOW_NO_DATASET=1)";              \
      FAIL() << kSource << " missing: apt-get install dataset-fashion-mnist, or set " \
             << "RN50_ALLOW_NO_DATASET=1";                                            \
    }                                                                                 \
  } while (0)

std::string gunzip(const fs::path& p) {
  gzFile f = gzopen(p.c_str(), "rb");
  std::string out;
  char buf[65536];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, n);
  gzclose(f);
  return out;
}

class FashionMnist : public ::testing::Test {
 protected:
  void SetUp() override { tmp_ = rn50::testing::make_temp_dir("rn50-fmnist"); }
  void TearDown() override { fs::remove_all(tmp_); }
  fs::path tmp_;
};

TEST(FashionMnistSubset, IsClassBalancedAndDeterministic) {
  const std::vector<uint8_t> labels = {0, 1, 0, 2, 1, 0, 2, 2, 1, 0};
  EXPECT_EQ(balanced_subset(labels, 4, 3, "--train"), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(balanced_subset(labels, 6, 3, "--train"), (std::vector<int64_t>{0, 1, 2, 3, 4, 6}));
  EXPECT_EQ(balanced_subset(labels, -1, 3, "--train").size(), 10u);
  EXPECT_THROW(balanced_subset(labels, 2, 3, "--train"), core::UsageError);
  EXPECT_THROW(balanced_subset(labels, 11, 3, "--train"), core::UsageError);
  // 9 = 3 per class, but class 0 has 4, 1 has 3, 2 has 3: fine; 10 needs 4 of class 0 only.
  EXPECT_EQ(balanced_subset(labels, 9, 3, "--val").size(), 9u);
}

TEST_F(FashionMnist, ConvertsASubsetIntoTheFolderAndListLayouts) {
  RN50_REQUIRE_FASHION_MNIST();
  FashionMnistOptions o;
  o.source = kSource;
  o.out = tmp_ / "fm";
  o.train = 40;
  o.val = 20;
  o.size = 28;  // no resize: pixels comparable with the source
  const auto r = convert_fashion_mnist(o);
  EXPECT_FALSE(r.already_present);
  EXPECT_EQ(r.train, 40);
  const auto& classes = fashion_mnist_classes();
  for (const auto& c : classes) {
    EXPECT_EQ(std::distance(fs::directory_iterator(o.out / "train" / c), {}), 4) << c;
    EXPECT_EQ(std::distance(fs::directory_iterator(o.out / "val" / c), {}), 2) << c;
  }
  // The first train image, as written, matches the IDX source.
  const std::string images = gunzip(kSource / "train-images-idx3-ubyte.gz");
  const std::string labels = gunzip(kSource / "train-labels-idx1-ubyte.gz");
  const int label0 = static_cast<uint8_t>(labels[8]);
  const fs::path first = o.out / "train" / classes[label0] / "00000.JPEG";
  ASSERT_TRUE(fs::exists(first));
  const std::string jpg = core::read_file(first);
  data::JpegDecoder dec;
  data::RgbImage img;
  dec.decode(reinterpret_cast<const uint8_t*>(jpg.data()), jpg.size(), {1, 1}, img);
  ASSERT_EQ(img.width, 28);
  double err = 0;
  for (int p = 0; p < 28 * 28; ++p) {
    EXPECT_EQ(img.pixels[3 * p], img.pixels[3 * p + 2]);  // grey in 3 channels
    err += std::abs(int(img.pixels[3 * p]) - int(uint8_t(images[16 + p])));
  }
  EXPECT_LT(err / (28 * 28), 4.0);
  // List file: "train/<class>/<index>.JPEG <label>", consistent with the folder.
  std::ifstream list(o.out / "train_list.txt");
  std::string line;
  int lines = 0;
  while (std::getline(list, line)) {
    ++lines;
    const auto sp = line.rfind(' ');
    const int label = std::stoi(line.substr(sp + 1));
    EXPECT_EQ(line.rfind("train/" + classes[label] + "/", 0), 0u) << line;
  }
  EXPECT_EQ(lines, 40);
  const auto manifest = nlohmann::json::parse(core::read_file(o.out / "dataset.json"));
  EXPECT_EQ(manifest["train"], 40);
  EXPECT_EQ(manifest["sources"].size(), 4u);
  EXPECT_EQ(manifest["sources"][0]["sha256"].get<std::string>().size(), 64u);
  // No temporary folder is left beside the output.
  for (const auto& e : fs::directory_iterator(tmp_))
    EXPECT_EQ(e.path().filename(), "fm") << e.path();
}

TEST_F(FashionMnist, SecondRunWithTheSameOptionsDoesNothingAndOthersAreRefused) {
  RN50_REQUIRE_FASHION_MNIST();
  FashionMnistOptions o;
  o.source = kSource;
  o.out = tmp_ / "fm";
  o.train = 10;
  o.val = 10;
  convert_fashion_mnist(o);
  const auto stamp = fs::last_write_time(o.out / "train_list.txt");
  EXPECT_TRUE(convert_fashion_mnist(o).already_present);
  EXPECT_EQ(fs::last_write_time(o.out / "train_list.txt"), stamp);
  o.size = 40;
  EXPECT_THROW(convert_fashion_mnist(o), core::UsageError);
  o.out = tmp_ / "other";
  fs::create_directories(o.out);
  std::ofstream(o.out / "stray.txt") << "x";
  EXPECT_THROW(convert_fashion_mnist(o), core::UsageError);
  o.out = tmp_ / "x";
  o.source = tmp_ / "no-such-source";
  EXPECT_THROW(convert_fashion_mnist(o), core::UsageError);
}

TEST_F(FashionMnist, OutputFeedsTheFolderAndListBackends) {
  RN50_REQUIRE_FASHION_MNIST();
  FashionMnistOptions o;
  o.source = kSource;
  o.out = tmp_ / "fm";
  o.train = 20;
  o.val = 10;
  convert_fashion_mnist(o);
  for (const char* backend : {"folder", "list"}) {
    DataOptions d;
    d.backend = backend;
    d.root = o.out.string();
    d.image_size = 32;
    d.batch_size = 5;
    d.train = false;
    auto src = make_batch_source(d);
    EXPECT_EQ(src->num_classes(), 10) << backend;
    EXPECT_EQ(src->images_per_epoch(), 10) << backend;
    src->start_epoch(0);
    std::vector<int64_t> labels;
    while (auto b = src->next())
      for (int64_t i = 0; i < b->labels.size(0); ++i)
        labels.push_back(b->labels[i].item<int64_t>());
    std::sort(labels.begin(), labels.end());
    EXPECT_EQ(labels, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << backend;
    EXPECT_TRUE(src->take_problems().empty());
  }
}

}  // namespace
}  // namespace rn50::trainer
