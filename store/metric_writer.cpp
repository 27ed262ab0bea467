#include "store/metric_writer.h"

#include <sqlite3.h>

#include <map>

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

int64_t MetricWriter::write(int64_t run_id, const std::vector<core::MetricPoint>& points,
                            KeyInterner& keys) {
  // Group by series, keeping the log's order inside each. Logs interleave a handful of keys
  // line by line, so a short list of recent series beats a hash lookup per point.
  std::map<std::pair<int64_t, std::string_view>, std::vector<uint32_t>> series;
  struct Recent {
    std::string_view key, level;
    std::vector<uint32_t>* bucket;
  };
  std::vector<Recent> recent;
  for (uint32_t i = 0; i < points.size(); ++i) {
    const core::MetricPoint& m = points[i];
    std::vector<uint32_t>* bucket = nullptr;
    for (const Recent& r : recent)
      if (r.key == m.key && r.level == m.level) {
        bucket = r.bucket;
        break;
      }
    if (!bucket) {
      bucket = &series[{keys.id(m.key), m.level}];
      if (recent.size() < 16) recent.push_back({m.key, m.level, bucket});
    }
    bucket->push_back(i);
  }
  sqlite3_stmt* many = many_.raw();
  sqlite3_stmt* one = one_.raw();
  for (const auto& [k, idx] : series) {
    const int64_t first = next_id_;
    size_t i = 0;
    for (; i + kRowsPerInsert <= idx.size(); i += kRowsPerInsert) {
      for (int j = 0; j < kRowsPerInsert; ++j) bind_point(many, 1 + 4 * j, points[idx[i + j]]);
      step(many, points[idx[i]]);
    }
    for (; i < idx.size(); ++i) {
      bind_point(one, 1, points[idx[i]]);
      step(one, points[idx[i]]);
    }
    next_id_ += static_cast<int64_t>(idx.size());
    const core::MetricPoint& sample = points[idx.front()];
    series_.bind(1, run_id)
        .bind(2, k.first)
        .bind_static(3, k.second)
        .bind(4, first)
        .bind(5, static_cast<int64_t>(idx.size()));
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
