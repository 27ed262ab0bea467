// `rn50-exp dataset fashion-mnist --out DIR [--train N --val M --size S] [--source DIR]`:
// writes a real, small image data set in the layouts the trainer reads (docs/data.md).
#include <iostream>

#include "app/commands.h"
#include "trainer/fashion_mnist.h"

namespace rn50::app {

Runner setup_dataset(CLI::App& parent) {
  auto* cmd = parent.add_subcommand("dataset", "Create training data sets on disk");
  cmd->require_subcommand(1);
  auto* fm = cmd->add_subcommand(
      "fashion-mnist",
      "Convert Debian's dataset-fashion-mnist into the ImageNet folder layout (3-channel JPEGs) "
      "plus train_list.txt/val_list.txt and a dataset.json manifest; does nothing when --out "
      "already holds the same data set");
  auto opt = std::make_shared<trainer::FashionMnistOptions>();
  auto out = std::make_shared<std::string>();
  auto source = std::make_shared<std::string>(opt->source.string());
  fm->add_option("--out", *out, "Output folder (created; must not exist or be empty)")->required();
  fm->add_option("--train", opt->train,
                 "Training images, class-balanced (first of each class); default all 60000");
  fm->add_option("--val", opt->val,
                 "Validation images from the test split, class-balanced; default all 10000");
  fm->add_option("--size", opt->size, "Image side in pixels (28 = original)")
      ->capture_default_str();
  fm->add_option("--source", *source, "Folder with the *-ubyte.gz files")->capture_default_str();
  return [fm, opt, out, source] {
    if (!*fm) return 2;  // unreachable: require_subcommand(1)
    opt->out = *out;
    opt->source = *source;
    const auto r = trainer::convert_fashion_mnist(*opt);
    if (r.already_present)
      std::cout << "dataset: " << opt->out.string() << " already holds fashion-mnist with "
                << r.train << " train / " << r.val << " val images at " << opt->size
                << " px; nothing to do\n";
    else
      std::cout << "dataset: wrote fashion-mnist to " << opt->out.string() << ": " << r.train
                << " train / " << r.val << " val images at " << opt->size << " px\n";
    return 0;
  };
}

}  // namespace rn50::app
