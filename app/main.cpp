// rn50-exp and rn50-exp-torch: wire subcommands; the only place where exceptions become exit
// codes. Built twice: without RN50_TORCH_COMMANDS it forwards those to rn50-exp-torch.
#include <iostream>
#include <vector>

#include "app/commands.h"
#include "app/torch_forward.h"
#include "app/version.h"
#include "core/error.h"

int main(int argc, char** argv) {
  using namespace rn50;
#ifndef RN50_TORCH_COMMANDS
  if (argc > 1 && app::is_torch_command(argv[1])) return app::exec_torch_binary(argv);
#endif
  CLI::App cli{"rn50-exp: reproducible, comparable ResNet-50 training benchmarks"};
  cli.set_version_flag("--version", std::string(app::kVersion) + " (commit " + app::kGitCommit +
                                        (app::kGitDirty ? ", modified" : "") + ")");
  cli.require_subcommand(1);

  std::vector<std::pair<CLI::App*, app::Runner>> commands;
  auto add = [&](app::Runner (*setup)(CLI::App&)) {
    auto runner = setup(cli);
    commands.emplace_back(cli.get_subcommands({}).back(), std::move(runner));
  };
  add(app::setup_run);
  add(app::setup_ingest);
  add(app::setup_report);
  add(app::setup_compare);
  add(app::setup_runs);
  add(app::setup_db);
#ifdef RN50_TORCH_COMMANDS
  add(app::setup_train);
  add(app::setup_dataset);
  add(app::setup_worker);
#else
  app::add_torch_command_placeholders(cli);
#endif

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help/version (code 0) or the usage error; every usage error is exit 2.
    return cli.exit(e) == 0 ? 0 : 2;
  }
  try {
    for (auto& [sub, runner] : commands)
      if (sub->parsed()) return runner();
  } catch (const core::UsageError& e) {
    std::cerr << "rn50-exp: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "rn50-exp: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
