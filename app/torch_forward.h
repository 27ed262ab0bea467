// The LibTorch subcommands live in a second binary, rn50-exp-torch, beside rn50-exp.
// Loading LibTorch's shared libraries costs ~0.6 s of symbol relocation per process start, more
// than a whole `ingest` of a typical log folder; so rn50-exp links no LibTorch and replaces
// itself (execv, same pid, same argv) with rn50-exp-torch for train, dataset and worker.
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

namespace rn50::app {

// True for the subcommands that need LibTorch.
bool is_torch_command(std::string_view name);

// Lists the LibTorch subcommands in `rn50-exp --help`; they are never parsed here.
void add_torch_command_placeholders(CLI::App& parent);

// execv()s rn50-exp-torch ($RN50_EXP_TORCH, else the sibling of this binary) with argv.
// Returns only on failure, with the exit code after printing why.
int exec_torch_binary(char** argv);

}  // namespace rn50::app
