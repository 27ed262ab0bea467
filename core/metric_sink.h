// Where a parser puts metric points. Points are the bulk of a log (millions for a long run), so a
// parser never keeps them: it hands each to a sink. The default sink collects them into the runs'
// metrics (tests, small files); ingest of a large file streams them to the store in bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/run_record.h"

namespace rn50::core {

class MetricSink {
 public:
  virtual ~MetricSink() = default;
  // One point of run `run` (an index into the parser's ParsedFile::runs, which must already hold
  // that run). key and level as in MetricPoint; the views need to live only for the call.
  virtual void add(size_t run, std::string_view key, std::string_view level,
                   std::optional<double> epoch, std::optional<int64_t> step,
                   std::optional<double> time, double value) = 0;
  void add(size_t run, const MetricPoint& p) {
    add(run, p.key, p.level, p.epoch, p.step, p.time, p.value);
  }
};

// Appends each point to (*runs)[run].metrics, in arrival order.
class CollectingSink final : public MetricSink {
 public:
  explicit CollectingSink(std::vector<RunRecord>& runs) : runs_(runs) {}
  using MetricSink::add;
  void add(size_t run, std::string_view key, std::string_view level, std::optional<double> epoch,
           std::optional<int64_t> step, std::optional<double> time, double value) override {
    runs_[run].metrics.push_back(
        MetricPoint{std::string(key), std::string(level), epoch, step, time, value});
  }

 private:
  std::vector<RunRecord>& runs_;
};

}  // namespace rn50::core
