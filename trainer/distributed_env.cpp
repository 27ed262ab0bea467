// Where a rank learns who it is: torchrun's variables first, SLURM's as a fallback, else a
// single process. Every malformed value is a UsageError naming the variable, because a rank
// that guesses its identity wrongly deadlocks the whole job instead of failing.

#include <charconv>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/slurm_hostlist.h"
#include "trainer/distributed.h"

namespace rn50::trainer {
namespace {

using Vars = std::map<std::string, std::string>;

const std::string* find(const Vars& vars, const std::string& name) {
  auto it = vars.find(name);
  if (it == vars.end() || it->second.empty()) return nullptr;
  return &it->second;
}

int64_t parse_int(const std::string& name, const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end)
    throw core::UsageError("distributed: environment variable " + name + "='" + text +
                           "' is not an integer");
  return value;
}

int64_t int_var(const Vars& vars, const std::string& name, int64_t fallback) {
  const std::string* text = find(vars, name);
  return text ? parse_int(name, *text) : fallback;
}

// SLURM_TASKS_PER_NODE looks like "4(x2),3": the leading count is the first node's.
int64_t leading_count(const std::string& name, const std::string& text) {
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  if (n == 0)
    throw core::UsageError("distributed: environment variable " + name + "='" + text +
                           "' does not start with a task count");
  return parse_int(name, text.substr(0, n));
}

void check_range(const std::string& what, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi)
    throw core::UsageError("distributed: " + what + " = " + std::to_string(value) +
                           " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

}  // namespace

DistEnv DistEnv::from_variables(const std::map<std::string, std::string>& vars) {
  DistEnv env;
  const bool torchrun = find(vars, "WORLD_SIZE") || find(vars, "RANK");
  const bool slurm = !torchrun && find(vars, "SLURM_NTASKS") && find(vars, "SLURM_PROCID");
  if (torchrun) {
    if (!find(vars, "WORLD_SIZE"))
      throw core::UsageError("distributed: RANK is set but WORLD_SIZE is not");
    if (!find(vars, "RANK"))
      throw core::UsageError("distributed: WORLD_SIZE is set but RANK is not");
    env.world_size = int_var(vars, "WORLD_SIZE", 1);
    env.rank = int_var(vars, "RANK", 0);
    // Without LOCAL_* a hand launch on one node is the sensible reading.
    env.local_world_size = int_var(vars, "LOCAL_WORLD_SIZE", env.world_size);
    env.local_rank =
        int_var(vars, "LOCAL_RANK", env.rank % std::max<int64_t>(1, env.local_world_size));
  } else if (slurm) {
    env.world_size = int_var(vars, "SLURM_NTASKS", 1);
    env.rank = int_var(vars, "SLURM_PROCID", 0);
    env.local_rank = int_var(vars, "SLURM_LOCALID", 0);
    if (const std::string* per_node = find(vars, "SLURM_NTASKS_PER_NODE"))
      env.local_world_size = leading_count("SLURM_NTASKS_PER_NODE", *per_node);
    else if (const std::string* tasks = find(vars, "SLURM_TASKS_PER_NODE"))
      env.local_world_size = leading_count("SLURM_TASKS_PER_NODE", *tasks);
    else
      env.local_world_size = env.local_rank + 1;
  }
  check_range("world size", env.world_size, 1, 1 << 20);
  check_range("rank", env.rank, 0, env.world_size - 1);
  check_range("local world size", env.local_world_size, 1, env.world_size);
  check_range("local rank", env.local_rank, 0, env.local_world_size - 1);

  if (const std::string* addr = find(vars, "MASTER_ADDR")) {
    env.master_addr = *addr;
  } else if (slurm) {
    const std::string* list = find(vars, "SLURM_JOB_NODELIST");
    if (!list) list = find(vars, "SLURM_NODELIST");
    if (list) env.master_addr = core::first_host(*list);
  }
  if (find(vars, "MASTER_PORT")) {
    env.master_port = static_cast<int>(int_var(vars, "MASTER_PORT", 0));
    check_range("MASTER_PORT", env.master_port, 1, 65535);
  } else if (slurm && find(vars, "SLURM_JOB_ID")) {
    // Two jobs sharing a node must not fight over 29500.
    env.master_port = 20000 + static_cast<int>(int_var(vars, "SLURM_JOB_ID", 0) % 10000);
  }
  return env;
}

DistEnv DistEnv::from_environment() {
  static const char* const kNames[] = {"RANK",
                                       "WORLD_SIZE",
                                       "LOCAL_RANK",
                                       "LOCAL_WORLD_SIZE",
                                       "MASTER_ADDR",
                                       "MASTER_PORT",
                                       "SLURM_PROCID",
                                       "SLURM_NTASKS",
                                       "SLURM_LOCALID",
                                       "SLURM_NTASKS_PER_NODE",
                                       "SLURM_TASKS_PER_NODE",
                                       "SLURM_JOB_NODELIST",
                                       "SLURM_NODELIST",
                                       "SLURM_JOB_ID"};
  std::map<std::string, std::string> vars;
  for (const char* name : kNames)
    if (const char* value = std::getenv(name)) vars[name] = value;
  return from_variables(vars);
}

std::string DistEnv::describe() const {
  return "rank " + std::to_string(rank) + " of " + std::to_string(world_size) + " (local " +
         std::to_string(local_rank) + " of " + std::to_string(local_world_size) + "), master " +
         master_addr + ":" + std::to_string(master_port);
}

}  // namespace rn50::trainer
