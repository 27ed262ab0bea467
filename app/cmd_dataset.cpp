// PLACEHOLDER: replaced by the real subcommand.
#include "app/commands.h"
namespace rn50::app {
Runner setup_dataset(CLI::App& parent) {
  parent.add_subcommand("dataset", "(not built yet)");
  return [] { return 1; };
}
}  // namespace rn50::app
