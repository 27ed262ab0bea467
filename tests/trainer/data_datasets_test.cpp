#include "trainer/data_datasets.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "data_test_images.h"
#include "test_support.h"

namespace rn50::trainer::data {
namespace {
namespace fs = std::filesystem;

class DataDatasets : public ::testing::Test {
 protected:
  void SetUp() override { root_ = rn50::testing::make_temp_dir("rn50-datasets"); }
  void TearDown() override { fs::remove_all(root_); }
  void jpeg(const std::string& rel) {
    testimg::write_jpeg(root_ / rel, testimg::solid(8, 8, 1, 2, 3), 8, 8);
  }
  void text(const std::string& rel, const std::string& body) {
    testimg::write_bytes(root_ / rel, body);
  }
  // The UsageError message, or "" when none was thrown.
  template <class F>
  std::string usage_error(F f) {
    try {
      f();
    } catch (const core::UsageError& e) {
      return e.what();
    }
    return "";
  }
  fs::path root_;
};

TEST_F(DataDatasets, FolderLayoutSortsClassesAndFiles) {
  jpeg("train/dog/b.JPEG");
  jpeg("train/dog/a.jpg");
  jpeg("train/cat/x.jpeg");
  text("train/cat/notes.txt", "not an image");
  jpeg("val/dog/v.JPEG");
  const auto train = scan_image_folder(root_, true);
  EXPECT_EQ(train.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(train.num_classes, 2);
  ASSERT_EQ(train.paths.size(), 3u);
  EXPECT_EQ(train.paths[0], (root_ / "train/cat/x.jpeg").string());
  EXPECT_EQ(train.paths[1], (root_ / "train/dog/a.jpg").string());
  EXPECT_EQ(train.labels, (std::vector<int64_t>{0, 1, 1}));
  // val lacks "cat" but keeps train's label numbering.
  const auto val = scan_image_folder(root_, false);
  EXPECT_EQ(val.num_classes, 2);
  EXPECT_EQ(val.labels, (std::vector<int64_t>{1}));
}

TEST_F(DataDatasets, FolderErrorsNameTheFolder) {
  EXPECT_NE(usage_error([&] { scan_image_folder(root_, true); }).find((root_ / "train").string()),
            std::string::npos);
  fs::create_directories(root_ / "train");
  EXPECT_NE(usage_error([&] { scan_image_folder(root_, true); }).find("no class folders"),
            std::string::npos);
  jpeg("train/a/1.JPEG");
  fs::create_directories(root_ / "train/b");
  const std::string empty = usage_error([&] { scan_image_folder(root_, true); });
  EXPECT_NE(empty.find((root_ / "train/b").string()), std::string::npos) << empty;
  jpeg("train/b/1.JPEG");
  jpeg("val/zebra/1.JPEG");
  const std::string stray = usage_error([&] { scan_image_folder(root_, false); });
  EXPECT_NE(stray.find("zebra"), std::string::npos) << stray;
}

TEST_F(DataDatasets, ListLayoutReadsPathsAndLabels) {
  text("train_list.txt", "# comment\nimgs/a b.JPEG 3\n\n  imgs/c.JPEG\t0  \n");
  const auto idx = read_image_list(root_, true);
  ASSERT_EQ(idx.paths.size(), 2u);
  EXPECT_EQ(idx.paths[0], (root_ / "imgs/a b.JPEG").string());
  EXPECT_EQ(idx.labels, (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(idx.num_classes, 4);
}

TEST_F(DataDatasets, MalformedListLinesNameFileAndLine) {
  text("train_list.txt", "a.JPEG 1\nb.JPEG x\n");
  const std::string bad_label = usage_error([&] { read_image_list(root_, true); });
  EXPECT_NE(bad_label.find("train_list.txt:2"), std::string::npos) << bad_label;
  text("train_list.txt", "a.JPEG 1\nb.JPEG -4\n");
  EXPECT_NE(usage_error([&] { read_image_list(root_, true); }).find(":2:"), std::string::npos);
  text("train_list.txt", "a.JPEG 1\n\nlonely\n");
  EXPECT_NE(usage_error([&] { read_image_list(root_, true); }).find("train_list.txt:3"),
            std::string::npos);
  text("train_list.txt", "/abs/a.JPEG 1\n");
  EXPECT_NE(usage_error([&] { read_image_list(root_, true); }).find("relative"), std::string::npos);
  text("train_list.txt", "# only a comment\n");
  EXPECT_NE(usage_error([&] { read_image_list(root_, true); }).find("no images"),
            std::string::npos);
  EXPECT_NE(usage_error([&] { read_image_list(root_, false); }).find("val_list.txt"),
            std::string::npos);
}

}  // namespace
}  // namespace rn50::trainer::data
