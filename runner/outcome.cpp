#include "runner/outcome.h"

#include <array>
#include <utility>

namespace rn50::runner {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 6> kOutcomes = {{
    {Outcome::kFinished, "finished"},
    {Outcome::kFailed, "failed"},
    {Outcome::kTimeout, "timeout"},
    {Outcome::kHang, "hang"},
    {Outcome::kInterrupted, "interrupted"},
    {Outcome::kSupervisorDied, "supervisor_died"},
}};

constexpr std::array<std::pair<RunState, std::string_view>, 5> kStates = {{
    {RunState::kPlanned, "planned"},
    {RunState::kRunning, "running"},
    {RunState::kFinished, "finished"},
    {RunState::kFailed, "failed"},
    {RunState::kInterrupted, "interrupted"},
}};

}  // namespace

std::string_view to_string(Outcome o) {
  for (const auto& [v, s] : kOutcomes)
    if (v == o) return s;
  return "failed";
}

std::optional<Outcome> outcome_from_string(std::string_view s) {
  for (const auto& [v, text] : kOutcomes)
    if (text == s) return v;
  return std::nullopt;
}

std::string_view to_string(RunState st) {
  for (const auto& [v, s] : kStates)
    if (v == st) return s;
  return "failed";
}

std::optional<RunState> run_state_from_string(std::string_view s) {
  for (const auto& [v, text] : kStates)
    if (text == s) return v;
  return std::nullopt;
}

RunState state_after(Outcome o) {
  switch (o) {
    case Outcome::kFinished:
      return RunState::kFinished;
    case Outcome::kInterrupted:
      return RunState::kInterrupted;
    default:
      return RunState::kFailed;
  }
}

}  // namespace rn50::runner
