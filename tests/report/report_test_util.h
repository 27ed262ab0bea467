// Lookup helpers for assertions on report tables.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "report/report_model.h"

namespace rn50::testing {

inline const report::Table& table(const report::Report& r, const std::string& id) {
  for (const auto& t : r.tables)
    if (t.id == id) return t;
  throw std::runtime_error("no table " + id);
}

// Exact column name first, else the first column starting with `prefix`.
inline size_t column(const report::Table& t, const std::string& prefix) {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i] == prefix) return i;
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].rfind(prefix, 0) == 0) return i;
  throw std::runtime_error("no column starting with '" + prefix + "' in " + t.id);
}

inline const report::Cell& cell(const report::Table& t, size_t row, const std::string& col) {
  return t.rows.at(row).at(column(t, col));
}

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

inline bool any_contains(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v)
    if (contains(s, needle)) return true;
  return false;
}

}  // namespace rn50::testing
