// PLACEHOLDER: replaced by the real subcommand.
#include "app/commands.h"
namespace rn50::app {
Runner setup_run(CLI::App& parent) {
  parent.add_subcommand("run", "(not built yet)");
  return [] { return 1; };
}
}  // namespace rn50::app
