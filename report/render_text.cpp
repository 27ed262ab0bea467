// One table as aligned plain text (`runs ...`, the default format).
#include <algorithm>

#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}
}  // namespace

std::string render_table_text(const Table& t) {
  if (t.rows.empty()) return (t.empty_reason.empty() ? "No rows." : t.empty_reason) + "\n";
  std::vector<std::vector<std::string>> cells;
  cells.push_back({});
  for (const auto& c : t.columns) cells.back().push_back(sanitize_text(c));
  for (const auto& row : t.rows) {
    cells.push_back({});
    for (const auto& c : row) cells.back().push_back(sanitize_text(c.text));
  }
  std::vector<size_t> width(t.columns.size(), 0);
  for (const auto& r : cells)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], display_width(r[i]));
  std::string out;
  for (const auto& r : cells) {
    std::string line;
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - display_width(r[i]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace rn50::report
