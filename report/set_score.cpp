#include "report/set_score.h"

#include <algorithm>

#include "core/run_record.h"
#include "report/text_format.h"

namespace rn50::report {

SetScore score_set(const std::vector<const StoredRun*>& set, double target, SetScaling scaling) {
  SetScore s;
  s.scaling = std::move(scaling);
  for (const StoredRun* r : set) {
    const auto reach = target_reach(*r, target);
    const bool finished = r->run.status == core::RunStatus::kFinished;
    std::optional<double> minutes;
    if (is_mlperf(*r)) {
      if (r->run.derived.wall_time_s) minutes = *r->run.derived.wall_time_s / 60.0;
    } else if (reach.time_s) {
      minutes = *reach.time_s / 60.0;
    }
    if (finished && reach.reached) {
      if (!minutes) {
        ++s.untimed;
        continue;
      }
      s.minutes.push_back(*minutes);
      if (reach.epoch) s.epochs.push_back(static_cast<double>(*reach.epoch));
      s.converged_text.emplace_back(*minutes, fmt_fixed(*minutes, 4));
    } else {
      ++s.failed;
      const std::string why =
          !finished ? std::string(core::to_string(r->run.status))
                    : "top-1 " + (best_top1(*r) ? fmt_fixed(*best_top1(*r), 2) : std::string("?")) +
                          " < target";
      s.failures.push_back((minutes ? fmt_fixed(*minutes, 4) : std::string("-")) + " (#" +
                           std::to_string(r->id) + " " + why + ")");
    }
  }
  std::sort(s.converged_text.begin(), s.converged_text.end());
  s.olympic = olympic_mean(s.minutes, s.failed + s.untimed, 5, s.scaling.factor);
  return s;
}

}  // namespace rn50::report
