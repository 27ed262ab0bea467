// The folder/list batch sources end to end on small generated JPEG trees.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data_test_images.h"
#include "test_support.h"
#include "trainer/batch_source.h"
#include "trainer/data_datasets.h"
#include "trainer/data_image_source.h"

namespace rn50::trainer {
namespace {
namespace fs = std::filesystem;
using data::testimg::solid;
using data::testimg::write_bytes;
using data::testimg::write_jpeg;

// Class c is a solid color, so a delivered image tells which class it came from.
constexpr uint8_t kColors[3][3] = {{230, 20, 20}, {20, 230, 20}, {20, 20, 230}};

// Index of the dominant channel of image i of a batch (0 = red ...).
int64_t dominant(const torch::Tensor& images, int64_t i) {
  return images[i].mean({1, 2}).argmax().item<int64_t>();
}

class DataLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = rn50::testing::make_temp_dir("rn50-loader");
    const char* names[3] = {"a_red", "b_green", "c_blue"};
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 10; ++i) {
        const int w = 40 + 3 * i, h = 30 + 2 * c;  // assorted sizes and aspect ratios
        const auto rgb = solid(w, h, kColors[c][0], kColors[c][1], kColors[c][2]);
        const std::string name = std::string(names[c]) + "/" + std::to_string(i) + ".JPEG";
        write_jpeg(root_ / "train" / name, rgb, w, h);
        if (i < 4) write_jpeg(root_ / "val" / name, rgb, w, h);
      }
  }
  void TearDown() override { fs::remove_all(root_); }

  DataOptions options(bool train, int64_t batch = 4) const {
    DataOptions o;
    o.backend = "folder";
    o.root = root_.string();
    o.train = train;
    o.image_size = 16;
    o.batch_size = batch;
    o.workers = 2;
    o.prefetch = 1;
    o.seed = 17;
    return o;
  }

  // Runs one epoch; checks every image against its label; returns the batches.
  std::vector<Batch> epoch(BatchSource& src, int64_t e, int64_t skip = 0) {
    src.start_epoch(e, skip);
    std::vector<Batch> out;
    while (auto b = src.next()) {
      for (int64_t i = 0; i < b->labels.size(0); ++i)
        EXPECT_EQ(dominant(b->images, i), b->labels[i].item<int64_t>());
      out.push_back(*b);
    }
    return out;
  }

  fs::path root_;
};

TEST_F(DataLoader, TrainEpochIsFullBatchesWithMatchingLabels) {
  auto src = make_batch_source(options(true));
  EXPECT_EQ(src->num_classes(), 3);
  EXPECT_EQ(src->batches_per_epoch(), 7);  // 30 images, batches of 4, drop last
  const auto batches = epoch(*src, 0);
  ASSERT_EQ(batches.size(), 7u);
  for (const auto& b : batches) {
    EXPECT_EQ(b.images.sizes(), (std::vector<int64_t>{4, 3, 16, 16}));
    EXPECT_GE(b.wait_seconds, 0);
  }
  // Batches held by the caller are not overwritten by later ones (ring of 2 slots here).
  const auto again = epoch(*src, 0);
  for (size_t k = 0; k < batches.size(); ++k) {
    EXPECT_TRUE(torch::equal(batches[k].images, again[k].images)) << k;
    EXPECT_TRUE(torch::equal(batches[k].labels, again[k].labels)) << k;
  }
  EXPECT_TRUE(src->take_problems().empty());
}

TEST_F(DataLoader, OrderDependsOnSeedAndEpochNotOnThreads) {
  auto one = options(true);
  one.workers = 1;
  auto three = options(true);
  three.workers = 3;
  three.prefetch = 3;
  auto a = make_batch_source(one), b = make_batch_source(three);
  const auto ea = epoch(*a, 2), eb = epoch(*b, 2);
  for (size_t k = 0; k < ea.size(); ++k) EXPECT_TRUE(torch::equal(ea[k].images, eb[k].images));
  const auto other = epoch(*a, 3);
  EXPECT_FALSE(torch::equal(ea[0].labels, other[0].labels) &&
               torch::equal(ea[1].labels, other[1].labels) &&
               torch::equal(ea[0].images, other[0].images));
}

TEST_F(DataLoader, ResumeStartsAtTheRequestedBatch) {
  auto src = make_batch_source(options(true));
  const auto full = epoch(*src, 1);
  const auto resumed = epoch(*src, 1, 5);
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_TRUE(torch::equal(resumed[0].images, full[5].images));
  EXPECT_TRUE(torch::equal(resumed[1].labels, full[6].labels));
}

TEST_F(DataLoader, ValidationCoversEachImageOnceAcrossRanks) {
  int64_t total = 0;
  std::vector<int64_t> per_class(3, 0);
  for (int64_t r = 0; r < 4; ++r) {
    auto o = options(false, 2);
    o.rank = r;
    o.world_size = 4;
    auto src = make_batch_source(o);
    int64_t seen = 0;
    for (const auto& b : epoch(*src, 0)) {
      seen += b.labels.size(0);
      for (int64_t i = 0; i < b.labels.size(0); ++i) ++per_class[b.labels[i].item<int64_t>()];
    }
    EXPECT_EQ(seen, src->images_per_epoch());
    total += seen;
  }
  EXPECT_EQ(total, 12);
  EXPECT_EQ(per_class, (std::vector<int64_t>{4, 4, 4}));
}

TEST_F(DataLoader, CorruptFilesAreReportedAndReplaced) {
  const auto good = data::encode_jpeg(solid(40, 30, 230, 20, 20).data(), 40, 30, 3, 95);
  write_bytes(root_ / "train/a_red/truncated.JPEG", good.substr(0, good.size() / 3));
  write_bytes(root_ / "train/a_red/garbage.JPEG", std::string(777, 'x'));
  auto src = make_batch_source(options(true));
  int64_t images = 0;
  for (int e = 0; e < 2; ++e)
    for (const auto& b : epoch(*src, e)) images += b.labels.size(0);
  EXPECT_EQ(images, 2 * src->images_per_epoch());  // batches stay full
  auto problems = src->take_problems();
  std::sort(problems.begin(), problems.end());
  ASSERT_EQ(problems.size(), 2u);  // once each, though met in two epochs
  EXPECT_NE(problems[0].find("garbage.JPEG"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("truncated.JPEG"), std::string::npos) << problems[1];
  EXPECT_TRUE(src->take_problems().empty());
}

TEST_F(DataLoader, FailOnCorruptThrowsNamingThePath) {
  write_bytes(root_ / "val/a_red/zz_bad.JPEG", "\xFF\xD8\xFF garbage");
  auto o = options(false, 2);
  o.fail_on_corrupt = true;
  auto src = make_batch_source(o);
  src->start_epoch(0);
  try {
    while (src->next()) {
    }
    FAIL() << "no error for a corrupt file";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("zz_bad.JPEG"), std::string::npos) << e.what();
  }
}

TEST_F(DataLoader, ListBackendReadsTheListFile) {
  write_bytes(root_ / "train_list.txt",
              "train/c_blue/0.JPEG 2\ntrain/a_red/0.JPEG 0\ntrain/b_green/3.JPEG 1\n"
              "train/a_red/5.JPEG 0\n");
  auto o = options(true, 2);
  o.backend = "list";
  auto src = make_batch_source(o);
  EXPECT_EQ(src->num_classes(), 3);
  EXPECT_EQ(epoch(*src, 0).size(), 2u);
}

TEST_F(DataLoader, MissingDataIsAUsageError) {
  auto o = options(true);
  o.root = (root_ / "nowhere").string();
  EXPECT_THROW(make_batch_source(o), core::UsageError);
  o = options(true);
  o.backend = "list";  // no train_list.txt
  EXPECT_THROW(make_batch_source(o), core::UsageError);
  o = options(true, 64);  // 30 images < one batch
  EXPECT_THROW(make_batch_source(o), core::UsageError);
}

TEST_F(DataLoader, EvalDecodesAtReducedScaleWhenTheCropAllows) {
  const auto img = data::testimg::gradient(512, 384);
  write_jpeg(root_ / "big.JPEG", img, 512, 384);
  auto index = std::make_shared<data::ImageIndex>();
  index->paths = {(root_ / "big.JPEG").string()};
  index->labels = {0};
  index->num_classes = 1;
  data::JpegSampleReader reader(index, false, 64, 0);
  std::vector<float> out(3 * 64 * 64);
  reader.read(0, 0, out.data());
  // Center crop ~ 337 px of the original -> 1/4 scale still leaves >= 64 px.
  EXPECT_EQ(reader.last_scale().num * 4, reader.last_scale().denom);
  // Red grows left to right in the output too.
  EXPECT_LT(out[32 * 64 + 2], out[32 * 64 + 61]);
}

}  // namespace
}  // namespace rn50::trainer
