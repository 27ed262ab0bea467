#include "store/metric_stream.h"

#include <sqlite3.h>

#include "core/error.h"

namespace rn50::store {
namespace {

constexpr int kRowsPerInsert = 64;

std::string multi_row_insert(int rows) {
  std::string sql = "INSERT INTO metric_points(epoch, step, time, value) VALUES ";
  for (int i = 0; i < rows; ++i) sql += i ? ",(?,?,?,?)" : "(?,?,?,?)";
  return sql;
}

void bind_point(sqlite3_stmt* st, int p, double epoch, bool has_epoch, int64_t step, bool has_step,
                double time, bool has_time, double value) {
  // SQLite has no NaN: NaN (a diverged loss) is stored as NULL, as in MetricWriter.
  if (has_epoch && epoch == epoch)
    sqlite3_bind_double(st, p, epoch);
  else
    sqlite3_bind_null(st, p);
  if (has_step)
    sqlite3_bind_int64(st, p + 1, step);
  else
    sqlite3_bind_null(st, p + 1);
  if (has_time && time == time)
    sqlite3_bind_double(st, p + 2, time);
  else
    sqlite3_bind_null(st, p + 2);
  if (value == value)
    sqlite3_bind_double(st, p + 3, value);
  else
    sqlite3_bind_null(st, p + 3);
}

}  // namespace

MetricStream::MetricStream(sqlite3* db, size_t budget_bytes)
    : db_(db),
      budget_(budget_bytes),
      keys_(db),
      many_(db, multi_row_insert(kRowsPerInsert)),
      one_(db, multi_row_insert(1)) {
  next_id_ = query_int(db, "SELECT coalesce(max(id), 0) + 1 FROM metric_points");
}

size_t MetricStream::series_of(size_t run, std::string_view key, std::string_view level) {
  // Logs print the same keys in the same order record after record: the series that followed
  // the previous point's series last time is checked first, without hashing.
  if (last_ != SIZE_MAX && next_guess_[last_] != SIZE_MAX) {
    const Series& s = series_[next_guess_[last_]];
    if (s.run == run && s.key == key && s.level == level) return next_guess_[last_];
  }
  probe_.assign(std::to_string(run)).append("|").append(level).append("|").append(key);
  if (auto it = index_.find(probe_); it != index_.end()) return it->second;
  const size_t id = series_.size();
  series_.push_back(Series{run, keys_.id(key), std::string(key), std::string(level), {}, 0, 0});
  next_guess_.push_back(SIZE_MAX);
  index_.emplace(probe_, id);
  return id;
}

void MetricStream::add(size_t run, std::string_view key, std::string_view level,
                       std::optional<double> epoch, std::optional<int64_t> step,
                       std::optional<double> time, double value) {
  const size_t s = series_of(run, key, level);
  if (last_ != SIZE_MAX) next_guess_[last_] = s;
  last_ = s;
  Point p{epoch.value_or(0), time.value_or(0), value, step.value_or(0),
          static_cast<uint8_t>((epoch ? 1 : 0) | (step ? 2 : 0) | (time ? 4 : 0))};
  series_[s].buffered.push_back(p);
  buffered_bytes_ += sizeof(Point);
  ++points_;
  if (buffered_bytes_ >= budget_) flush();
}

void MetricStream::write_points(const std::vector<Point>& pts) {
  sqlite3_stmt* many = many_.raw();
  sqlite3_stmt* one = one_.raw();
  auto step = [&](sqlite3_stmt* st) {
    if (sqlite3_step(st) != SQLITE_DONE) {
      const std::string msg = sqlite3_errmsg(db_);
      sqlite3_reset(st);
      throw core::Error("metric points: " + msg);
    }
    sqlite3_reset(st);
  };
  size_t i = 0;
  for (; i + kRowsPerInsert <= pts.size(); i += kRowsPerInsert) {
    for (int j = 0; j < kRowsPerInsert; ++j) {
      const Point& p = pts[i + size_t(j)];
      bind_point(many, 1 + 4 * j, p.epoch, p.has & 1, p.step, p.has & 2, p.time, p.has & 4,
                 p.value);
    }
    step(many);
  }
  for (; i < pts.size(); ++i) {
    const Point& p = pts[i];
    bind_point(one, 1, p.epoch, p.has & 1, p.step, p.has & 2, p.time, p.has & 4, p.value);
    step(one);
  }
}

void MetricStream::flush() {
  for (size_t s = 0; s < series_.size(); ++s) {
    Series& ser = series_[s];
    if (ser.buffered.empty()) continue;
    const auto n = static_cast<int64_t>(ser.buffered.size());
    write_points(ser.buffered);
    segments_.push_back(Segment{s, ser.segment, ser.written, next_id_, n});
    next_id_ += n;
    ser.written += n;
    ++ser.segment;
    ser.buffered.clear();
    ser.buffered.shrink_to_fit();
  }
  buffered_bytes_ = 0;
}

int64_t MetricStream::finish(const std::vector<int64_t>& run_ids) {
  flush();
  const int64_t max_id = query_int(db_, "SELECT coalesce(max(id), 0) FROM metric_points");
  if (max_id != next_id_ - 1)
    throw core::Error("metric_points ids are not contiguous (expected last id " +
                      std::to_string(next_id_ - 1) + ", found " + std::to_string(max_id) +
                      "): another writer interfered");
  Statement row(db_,
                "INSERT INTO metric_series(run_id, key_id, level, segment, seq_offset, "
                "first_point, points) VALUES (?,?,?,?,?,?,?)");
  for (const Segment& seg : segments_) {
    const Series& s = series_[seg.series];
    if (s.run >= run_ids.size())
      throw core::Error("metric points name run " + std::to_string(s.run) + " of " +
                        std::to_string(run_ids.size()));
    row.bind(1, run_ids[s.run])
        .bind(2, s.key_id)
        .bind(3, s.level)
        .bind(4, static_cast<int64_t>(seg.segment))
        .bind(5, seg.seq_offset)
        .bind(6, seg.first)
        .bind(7, seg.points)
        .run();
  }
  return points_;
}

}  // namespace rn50::store
