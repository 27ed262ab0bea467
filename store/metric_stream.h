// Metric points written while a file is still being read: the sink a parser writes into when a file
// is too large to hold in memory. Points are buffered per series up to a byte budget; when the
// budget is reached, every buffered series is written as one more segment of itself (a contiguous
// rowid range, docs/schema.md), so memory stays bounded whatever the file's size. Used inside the
// file's ingest transaction; the series rows are written by finish(), once the runs have ids.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/metric_sink.h"
#include "store/metric_writer.h"
#include "store/sqlite_util.h"

namespace rn50::store {

class MetricStream final : public core::MetricSink {
 public:
  explicit MetricStream(sqlite3* db, size_t budget_bytes = size_t(32) << 20);
  using core::MetricSink::add;
  void add(size_t run, std::string_view key, std::string_view level, std::optional<double> epoch,
           std::optional<int64_t> step, std::optional<double> time, double value) override;

  // Writes what is still buffered, then one metric_series row per segment; run_ids[i] is the
  // stored id of the parser's run i. Returns the number of points. Throws core::Error if another
  // writer took rowids meanwhile (cannot happen inside the write transaction).
  int64_t finish(const std::vector<int64_t>& run_ids);

  int64_t points() const { return points_; }

 private:
  struct Point {
    double epoch, time, value;
    int64_t step;
    uint8_t has;  // bit 0 epoch, 1 step, 2 time
  };
  struct Series {
    size_t run;
    int64_t key_id;
    std::string key, level;
    std::vector<Point> buffered;
    int64_t written = 0;  // points in earlier segments
    int segment = 0;
  };
  struct Segment {
    size_t series;
    int segment;
    int64_t seq_offset, first, points;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  size_t series_of(size_t run, std::string_view key, std::string_view level);
  void flush();
  void write_points(const std::vector<Point>& pts);

  sqlite3* db_;
  size_t budget_;
  KeyInterner keys_;
  Statement many_, one_;
  std::vector<Series> series_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;  // run|level|key
  std::string probe_;
  std::vector<Segment> segments_;
  size_t buffered_bytes_ = 0;
  int64_t next_id_ = 1, points_ = 0;
  size_t last_ = SIZE_MAX;  // the series of the previous point (logs repeat their key order)
  std::vector<size_t> next_guess_;
};

}  // namespace rn50::store
