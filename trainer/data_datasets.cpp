#include "trainer/data_datasets.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>

#include "core/error.h"

namespace rn50::trainer::data {
namespace fs = std::filesystem;
namespace {

bool is_jpeg_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpeg" || ext == ".jpg";
}

std::vector<std::string> sorted_subdirs(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

}  // namespace

ImageIndex scan_image_folder(const fs::path& root, bool train) {
  const fs::path split = root / (train ? "train" : "val");
  if (!fs::is_directory(split))
    throw core::UsageError("data folder " + split.string() +
                           " does not exist (expected the ImageNet layout " +
                           (root / "{train,val}/<class>/*.JPEG").string() + ")");
  const fs::path train_dir = root / "train";
  ImageIndex idx;
  idx.class_names = sorted_subdirs(fs::is_directory(train_dir) ? train_dir : split);
  if (idx.class_names.empty())
    throw core::UsageError("data folder " + split.string() + " has no class folders");
  idx.num_classes = static_cast<int64_t>(idx.class_names.size());
  for (const auto& name : sorted_subdirs(split))
    if (!std::binary_search(idx.class_names.begin(), idx.class_names.end(), name))
      throw core::UsageError("class folder " + (split / name).string() + " has no counterpart in " +
                             train_dir.string());
  for (int64_t label = 0; label < idx.num_classes; ++label) {
    const fs::path dir = split / idx.class_names[static_cast<size_t>(label)];
    if (!fs::is_directory(dir)) continue;  // val may lack a class train has
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && is_jpeg_name(e.path())) files.push_back(e.path().string());
    if (files.empty())
      throw core::UsageError("class folder " + dir.string() + " has no .JPEG/.jpg/.jpeg images");
    std::sort(files.begin(), files.end());
    for (auto& f : files) {
      idx.paths.push_back(std::move(f));
      idx.labels.push_back(label);
    }
  }
  return idx;
}

ImageIndex read_image_list(const fs::path& root, bool train) {
  const fs::path file = root / (train ? "train_list.txt" : "val_list.txt");
  std::ifstream in(file);
  if (!in) throw core::UsageError("list file " + file.string() + " cannot be opened");
  ImageIndex idx;
  std::string line;
  int64_t max_label = -1;
  for (int64_t line_no = 1; std::getline(in, line); ++line_no) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto where = [&] { return file.string() + ":" + std::to_string(line_no) + ": "; };
    const auto sep = t.find_last_of(" \t");
    if (sep == std::string::npos)
      throw core::UsageError(where() + "expected 'relative/path label', got '" + t + "'");
    const std::string path = trim(t.substr(0, sep));
    const std::string label_text = t.substr(sep + 1);
    int64_t label = -1;
    const auto [end, ec] =
        std::from_chars(label_text.data(), label_text.data() + label_text.size(), label);
    if (ec != std::errc() || end != label_text.data() + label_text.size() || label < 0)
      throw core::UsageError(where() + "label '" + label_text + "' is not a non-negative integer");
    if (path.empty()) throw core::UsageError(where() + "empty image path");
    if (fs::path(path).is_absolute())
      throw core::UsageError(where() + "image path '" + path + "' must be relative to " +
                             root.string());
    idx.paths.push_back((root / path).string());
    idx.labels.push_back(label);
    max_label = std::max(max_label, label);
  }
  if (in.bad()) throw core::UsageError("list file " + file.string() + " could not be read");
  if (idx.paths.empty()) throw core::UsageError("list file " + file.string() + " lists no images");
  idx.num_classes = max_label + 1;
  return idx;
}

}  // namespace rn50::trainer::data
