// The hot path of ingest: metric points appended to metric_points in series order, with one
// metric_series row per (run, key, level) naming its contiguous rowid range. See docs/schema.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/run_record.h"
#include "store/sqlite_util.h"

namespace rn50::store {

// Metric names stored once in metric_keys; series refer to them by integer id.
class KeyInterner {
 public:
  explicit KeyInterner(sqlite3* db);
  int64_t id(std::string_view name);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  Statement insert_;
  std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> ids_;
};

// Reorders points so that each series (key, level) is one contiguous block: series in order of
// first appearance, the log's order inside each. Needs no database, so ingest runs it on its
// parsing threads and the single writer thread only binds and steps.
void group_by_series(std::vector<core::MetricPoint>& points);

// Must be used inside the ingest's write transaction: rowids are predicted from max(id) + 1,
// which holds only while nobody else writes (checked again by finish()).
class MetricWriter {
 public:
  explicit MetricWriter(sqlite3* db);
  // Writes every point of one run; returns the number of points.
  int64_t write(int64_t run_id, const std::vector<core::MetricPoint>& points, KeyInterner& keys);
  // Throws core::Error if SQLite assigned other rowids than the ranges recorded in metric_series.
  void finish() const;

 private:
  static constexpr int kRowsPerInsert = 64;  // multi-row VALUES amortise statement overhead
  void bind_point(sqlite3_stmt* st, int first_param, const core::MetricPoint& m);
  void step(sqlite3_stmt* st, const core::MetricPoint& m);

  sqlite3* db_;
  Statement many_, one_, series_;
  int64_t next_id_ = 1;
};

}  // namespace rn50::store
