// make_batch_source: checks the options once, then picks the backend.
#include <filesystem>
#include <string>

#include "core/error.h"
#include "trainer/batch_source.h"
#include "trainer/data_datasets.h"
#include "trainer/data_image_source.h"
#include "trainer/data_synthetic.h"

namespace rn50::trainer {
namespace {

void check_options(const DataOptions& opt) {
  auto bad = [](const std::string& what) { throw core::UsageError("data options: " + what); };
  if (opt.backend != "folder" && opt.backend != "list" && opt.backend != "synthetic")
    bad("unknown data backend '" + opt.backend + "' (expected folder, list or synthetic)");
  if (opt.batch_size < 1) bad("batch_size must be >= 1, got " + std::to_string(opt.batch_size));
  if (opt.image_size < 8) bad("image_size must be >= 8, got " + std::to_string(opt.image_size));
  if (opt.workers < 1) bad("workers must be >= 1, got " + std::to_string(opt.workers));
  if (opt.prefetch < 1) bad("prefetch must be >= 1, got " + std::to_string(opt.prefetch));
  if (opt.world_size < 1 || opt.rank < 0 || opt.rank >= opt.world_size)
    bad("rank " + std::to_string(opt.rank) + " outside world size " +
        std::to_string(opt.world_size));
  if (opt.backend == "synthetic") {
    if (opt.num_classes < 1) bad("num_classes must be >= 1");
    if (opt.synthetic_images < 1) bad("synthetic image count must be >= 1");
  } else if (opt.root.empty()) {
    bad("the " + opt.backend + " backend needs a data root folder");
  }
}

// A training split smaller than one global batch would silently train on nothing.
void check_not_empty(const DataOptions& opt, int64_t images) {
  if (opt.train && images < opt.batch_size * opt.world_size)
    throw core::UsageError("data: " + std::to_string(images) +
                           " training images are fewer than one global batch (" +
                           std::to_string(opt.batch_size) + " x " + std::to_string(opt.world_size) +
                           " ranks)" + (opt.root.empty() ? "" : " in " + opt.root));
}

}  // namespace

std::unique_ptr<BatchSource> make_batch_source(const DataOptions& opt) {
  check_options(opt);
  if (opt.backend == "synthetic") {
    check_not_empty(opt, opt.synthetic_images);
    return data::make_synthetic_source(opt);
  }
  if (!std::filesystem::is_directory(opt.root))
    throw core::UsageError("data folder " + opt.root + " does not exist");
  auto index = opt.backend == "folder" ? data::scan_image_folder(opt.root, opt.train)
                                       : data::read_image_list(opt.root, opt.train);
  check_not_empty(opt, static_cast<int64_t>(index.paths.size()));
  return data::make_image_source(opt, std::move(index));
}

}  // namespace rn50::trainer
