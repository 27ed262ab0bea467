#include "trainer/data_synthetic.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace rn50::trainer {
namespace {

DataOptions synthetic(int64_t images, int64_t batch) {
  DataOptions o;
  o.backend = "synthetic";
  o.synthetic_images = images;
  o.batch_size = batch;
  o.image_size = 16;
  o.num_classes = 10;
  o.seed = 3;
  return o;
}

TEST(DataSynthetic, DeliversFullBatchesOfTheRightShape) {
  auto src = make_batch_source(synthetic(100, 8));
  EXPECT_EQ(src->batches_per_epoch(), 12);
  EXPECT_EQ(src->images_per_epoch(), 96);
  EXPECT_EQ(src->num_classes(), 10);
  src->start_epoch(0);
  int64_t n = 0;
  while (auto b = src->next()) {
    EXPECT_EQ(b->images.sizes(), (std::vector<int64_t>{8, 3, 16, 16}));
    EXPECT_EQ(b->images.scalar_type(), torch::kFloat);
    EXPECT_EQ(b->labels.scalar_type(), torch::kLong);
    EXPECT_GE(b->labels.min().item<int64_t>(), 0);
    EXPECT_LT(b->labels.max().item<int64_t>(), 10);
    ++n;
  }
  EXPECT_EQ(n, 12);
}

TEST(DataSynthetic, DeterministicBySeedAndResumable) {
  auto a = make_batch_source(synthetic(64, 8));
  auto b = make_batch_source(synthetic(64, 8));
  a->start_epoch(1);
  b->start_epoch(1, 3);
  std::vector<torch::Tensor> la;
  while (auto x = a->next()) la.push_back(x->labels);
  auto y = b->next();
  ASSERT_TRUE(y);
  EXPECT_TRUE(torch::equal(y->labels, la[3]));
  a->start_epoch(0);
  auto first = a->next();
  b->start_epoch(0);
  auto again = b->next();
  EXPECT_TRUE(torch::equal(first->images, again->images));
  EXPECT_TRUE(torch::equal(first->labels, again->labels));
}

TEST(DataSynthetic, ValidationKeepsTheShortLastBatch) {
  auto o = synthetic(10, 4);
  o.train = false;
  auto src = make_batch_source(o);
  src->start_epoch(0);
  std::vector<int64_t> sizes;
  while (auto b = src->next()) sizes.push_back(b->images.size(0));
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
}

TEST(DataSynthetic, RejectsBadOptions) {
  auto o = synthetic(4, 8);
  EXPECT_THROW(make_batch_source(o), core::UsageError);  // fewer than one batch
  o = synthetic(64, 8);
  o.backend = "lmdb";
  EXPECT_THROW(make_batch_source(o), core::UsageError);
  o = synthetic(64, 8);
  o.rank = 2;
  o.world_size = 2;
  EXPECT_THROW(make_batch_source(o), core::UsageError);
}

}  // namespace
}  // namespace rn50::trainer
