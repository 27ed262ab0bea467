// How a launched run ended, and the state a run's manifest is in. Both are persisted as text in
// manifests (docs/experiments.md); the texts never change meaning.
#pragma once

#include <optional>
#include <string_view>

namespace rn50::runner {

enum class Outcome {
  kFinished,        // every rank exited 0
  kFailed,          // a rank exited non-zero or was killed
  kTimeout,         // the run's timeout was reached; the runner stopped it
  kHang,            // no progress for hang_timeout; the runner stopped it
  kInterrupted,     // Ctrl-C / SIGTERM to the runner
  kSupervisorDied,  // found on a later invocation: the runner of this attempt died (kill -9)
};
std::string_view to_string(Outcome o);
std::optional<Outcome> outcome_from_string(std::string_view s);

enum class RunState {
  kPlanned,      // never started
  kRunning,      // a runner is (or was, until it died) supervising it
  kFinished,     // done; skipped by later invocations
  kFailed,       // the last attempt did not finish; resumed by the next invocation
  kInterrupted,  // stopped on request; resumed by the next invocation
};
std::string_view to_string(RunState s);
std::optional<RunState> run_state_from_string(std::string_view s);

// The state a run is left in by an attempt that ended so.
RunState state_after(Outcome o);

}  // namespace rn50::runner
