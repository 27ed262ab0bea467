// Image data sets on disk: the ImageNet folder layout and the list-file layout. Only the index
// (paths and labels) is built here; decoding happens in the loader's workers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rn50::trainer::data {

struct ImageIndex {
  std::vector<std::string> paths;  // absolute or relative to the working directory
  std::vector<int64_t> labels;
  int64_t num_classes = 0;
  std::vector<std::string> class_names;  // folder layout only
};

// root/{train,val}/<class>/<image>.{JPEG,jpg,jpeg} (case-insensitive extension). Classes are
// the sorted folder names of root/train (so train and val agree on labels even when val lacks a
// class); images within a class are sorted by name. Throws core::UsageError naming the folder
// for a missing split folder, no class folders, a class folder without images, or a val class
// that train does not have.
ImageIndex scan_image_folder(const std::filesystem::path& root, bool train);

// root/{train,val}_list.txt: one "relative/path label" per line (path relative to root, may
// contain spaces: the label is the last field); blank lines and lines starting with '#' are
// skipped. num_classes = largest label + 1. Throws core::UsageError naming file and line for a
// malformed line, and naming the file when it is missing or empty.
ImageIndex read_image_list(const std::filesystem::path& root, bool train);

}  // namespace rn50::trainer::data
