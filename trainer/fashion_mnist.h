// `rn50-exp dataset fashion-mnist`: turns Debian's dataset-fashion-mnist IDX files into the
// ImageNet folder layout (plus list files) that the trainer's folder/list backends read, so a
// real (small) image classification run needs no download.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rn50::trainer {

struct FashionMnistOptions {
  std::filesystem::path source = "/usr/share/datasets/fashion-mnist";
  std::filesystem::path out;
  int64_t train = -1;  // images of the train split to write; -1 = all 60000
  int64_t val = -1;    // images of the test split, written as val/; -1 = all 10000
  int size = 32;       // output side in pixels (28 = no resize)
  int quality = 95;
};

struct FashionMnistResult {
  bool already_present = false;  // out held a matching manifest; nothing was written
  int64_t train = 0, val = 0;
};

// Class folder names: a digit prefix keeps sorted order == Fashion-MNIST label order.
const std::vector<std::string>& fashion_mnist_classes();

// Deterministic class-balanced subset of `labels`: the first count/10 (+1 for the first
// count%10 classes) images of each class, in file order; returned sorted. count -1 = all;
// otherwise num_classes <= count <= labels.size().
std::vector<int64_t> balanced_subset(const std::vector<uint8_t>& labels, int64_t count,
                                     int num_classes, const std::string& what);

// Writes out/{train,val}/<class>/<index>.JPEG, out/{train,val}_list.txt and out/dataset.json,
// all into a sibling temporary folder renamed into place at the end (never half-written).
// Throws core::UsageError for bad options, a missing source folder or an out folder holding
// something else; core::Error for damaged source files.
FashionMnistResult convert_fashion_mnist(const FashionMnistOptions& opt);

}  // namespace rn50::trainer
