#include "app/torch_forward.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "app/commands.h"

namespace rn50::app {

namespace {

struct TorchCommand {
  std::string_view name, help;
};

constexpr std::array<TorchCommand, 3> kTorchCommands{{
    {"train", "Train one run from a resolved config (runs rn50-exp-torch)"},
    {"dataset", "Create training data sets on disk (runs rn50-exp-torch)"},
    {"worker", "Internal: one rank of a `run` (runs rn50-exp-torch)"},
}};

}  // namespace

bool is_torch_command(std::string_view name) {
  for (const auto& c : kTorchCommands)
    if (c.name == name) return true;
  return false;
}

void add_torch_command_placeholders(CLI::App& parent) {
  for (const auto& c : kTorchCommands) {
    auto* sub = parent.add_subcommand(std::string(c.name), std::string(c.help));
    sub->allow_extras();
  }
}

int exec_torch_binary(char** argv) {
  std::string target;
  if (const char* env = std::getenv("RN50_EXP_TORCH"); env && *env) {
    target = env;
  } else {
    try {
      target = (std::filesystem::path(self_executable()).parent_path() / "rn50-exp-torch").string();
    } catch (const std::exception& e) {
      std::cerr << "rn50-exp: error: " << e.what() << "\n";
      return 1;
    }
  }
  ::execv(target.c_str(), argv);
  const int err = errno;
  std::cerr << "rn50-exp: error: `" << argv[1] << "` needs the LibTorch binary " << target << ": "
            << std::strerror(err)
            << (err == ENOENT ? " (build with libtorch-dev installed, RN50_WITH_TRAINER=ON)" : "")
            << "\n";
  return err == ENOENT ? 2 : 1;
}

}  // namespace rn50::app
