// PLACEHOLDER: replaced by the real subcommand.
#include "app/commands.h"
namespace rn50::app {
Runner setup_report(CLI::App& parent) {
  parent.add_subcommand("report", "(not built yet)");
  return [] { return 1; };
}
}  // namespace rn50::app
