#include "store/metric_writer.h"

#include <sqlite3.h>

#include <map>
#include <set>

#include "core/error.h"

namespace rn50::store {

namespace {

std::string multi_row_insert(int rows) {
  std::string sql = "INSERT INTO metric_points(epoch, step, time, value) VALUES ";
  for (int i = 0; i < rows; ++i) sql += i ? ",(?,?,?,?)" : "(?,?,?,?)";
  return sql;
}

void bind_real(sqlite3_stmt* st, int i, const std::optional<double>& v) {
  // SQLite has no NaN: a NaN (e.g. a diverged loss) is stored as NULL.
  if (v && *v == *v)
    sqlite3_bind_double(st, i, *v);
  else
    sqlite3_bind_null(st, i);
}

}  // namespace

KeyInterner::KeyInterner(sqlite3* db)
    : db_(db), insert_(db, "INSERT INTO metric_keys(name) VALUES (?) RETURNING id") {
  Statement all(db, "SELECT id, name FROM metric_keys");
  while (all.step()) ids_.emplace(all.col_text(1), all.col_int(0));
}

int64_t KeyInterner::id(std::string_view name) {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  insert_.bind(1, name);
  if (!insert_.step()) throw_sqlite(db_, "interning metric key");
  const int64_t id = insert_.col_int(0);
  insert_.reset();
  ids_.emplace(std::string(name), id);
  return id;
}

MetricWriter::MetricWriter(sqlite3* db)
    : db_(db),
      many_(db, multi_row_insert(kRowsPerInsert)),
      one_(db, multi_row_insert(1)),
      series_(db,
              "INSERT INTO metric_series(run_id, key_id, level, first_point, points) "
              "VALUES (?,?,?,?,?)") {
  next_id_ = query_int(db, "SELECT coalesce(max(id), 0) + 1 FROM metric_points");
}

void MetricWriter::bind_point(sqlite3_stmt* st, int p, const core::MetricPoint& m) {
  bind_real(st, p, m.epoch);
  if (m.step)
    sqlite3_bind_int64(st, p + 1, *m.step);
  else
    sqlite3_bind_null(st, p + 1);
  bind_real(st, p + 2, m.time);
  bind_real(st, p + 3, std::optional<double>(m.value));
}

void MetricWriter::step(sqlite3_stmt* st, const core::MetricPoint& m) {
  if (sqlite3_step(st) != SQLITE_DONE) {
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_reset(st);
    throw core::Error("metric '" + m.key + "': " + msg);
  }
  sqlite3_reset(st);
}

namespace {

bool same_series(const core::MetricPoint& a, const core::MetricPoint& b) {
  return a.key == b.key && a.level == b.level;
}

// Point indices of each series, series in order of first appearance. Logs print the same
// keys in the same order record after record, so the series that followed the previous point's
// series last time is checked first: one comparison per point instead of a lookup.
std::vector<std::vector<uint32_t>> series_members(const std::vector<core::MetricPoint>& points) {
  std::map<std::pair<std::string_view, std::string_view>, uint32_t> numbers;
  std::vector<std::vector<uint32_t>> members;
  std::vector<uint32_t> first_of;  // a point of each series, to compare against
  std::vector<uint32_t> next_of;   // series seen after each series last time
  constexpr uint32_t kNone = UINT32_MAX;
  uint32_t prev = kNone;
  for (uint32_t i = 0; i < points.size(); ++i) {
    const core::MetricPoint& m = points[i];
    uint32_t s = prev == kNone ? kNone : next_of[prev];
    if (s == kNone || !same_series(points[first_of[s]], m)) {
      const auto [it, added] = numbers.try_emplace({m.key, m.level}, uint32_t(members.size()));
      s = it->second;
      if (added) {
        members.emplace_back();
        first_of.push_back(i);
        next_of.push_back(kNone);
      }
    }
    members[s].push_back(i);
    if (prev != kNone) next_of[prev] = s;
    prev = s;
  }
  return members;
}

// [begin, end) of each series when every series is one contiguous block; empty otherwise.
std::vector<std::pair<size_t, size_t>> contiguous_spans(
    const std::vector<core::MetricPoint>& points) {
  std::vector<std::pair<size_t, size_t>> spans;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (size_t i = 0; i < points.size();) {
    size_t j = i + 1;
    while (j < points.size() && same_series(points[j], points[i])) ++j;
    if (!seen.insert({points[i].key, points[i].level}).second) return {};
    spans.emplace_back(i, j);
    i = j;
  }
  return spans;
}

}  // namespace

void group_by_series(std::vector<core::MetricPoint>& points) {
  if (points.empty() || !contiguous_spans(points).empty()) return;
  std::vector<core::MetricPoint> grouped;
  grouped.reserve(points.size());
  for (const std::vector<uint32_t>& series : series_members(points))
    for (uint32_t i : series) grouped.push_back(std::move(points[i]));
  points = std::move(grouped);
}

int64_t MetricWriter::write(int64_t run_id, const std::vector<core::MetricPoint>& points,
                            KeyInterner& keys) {
  if (points.empty()) return 0;
  // Ingest groups on its parsing threads (group_by_series); other callers may not have.
  const std::vector<std::pair<size_t, size_t>> spans = contiguous_spans(points);
  if (spans.empty()) {
    std::vector<core::MetricPoint> grouped = points;
    group_by_series(grouped);
    return write(run_id, grouped, keys);
  }
  sqlite3_stmt* many = many_.raw();
  sqlite3_stmt* one = one_.raw();
  for (const auto& [begin, end] : spans) {
    const core::MetricPoint& sample = points[begin];
    const int64_t key_id = keys.id(sample.key);
    const int64_t first = next_id_;
    size_t i = begin;
    for (; i + kRowsPerInsert <= end; i += kRowsPerInsert) {
      for (int j = 0; j < kRowsPerInsert; ++j) bind_point(many, 1 + 4 * j, points[i + j]);
      step(many, points[i]);
    }
    for (; i < end; ++i) {
      bind_point(one, 1, points[i]);
      step(one, points[i]);
    }
    const auto n = static_cast<int64_t>(end - begin);
    next_id_ += n;
    series_.bind(1, run_id).bind(2, key_id).bind_static(3, sample.level).bind(4, first).bind(5, n);
    try {
      series_.run();
    } catch (const core::Error& e) {
      throw core::Error("metric '" + sample.key + "' level '" + sample.level + "': " + e.what());
    }
  }
  return static_cast<int64_t>(points.size());
}

void MetricWriter::finish() const {
  const int64_t max_id = query_int(db_, "SELECT coalesce(max(id), 0) FROM metric_points");
  if (max_id != next_id_ - 1)
    throw core::Error("metric_points ids are not contiguous (expected last id " +
                      std::to_string(next_id_ - 1) + ", found " + std::to_string(max_id) +
                      "): another writer interfered");
}

}  // namespace rn50::store
