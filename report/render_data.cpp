// Machine-readable renderers: JSON, CSV and aligned text.
#include <nlohmann/json.hpp>

#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

using ojson = nlohmann::ordered_json;

// A labelled value ("859.24 (compute)") keeps its label next to the number.
ojson cell_json(const Cell& c) {
  if (c.missing) return nullptr;
  if (c.number) {
    if (c.text.find(' ') == std::string::npos) return *c.number;
    return ojson{{"value", *c.number}, {"text", sanitize_text(c.text)}};
  }
  return sanitize_text(c.text);
}

ojson table_json(const Table& t) {
  ojson j;
  j["id"] = t.id;
  j["title"] = sanitize_text(t.title);
  j["description"] = sanitize_text(t.description);
  ojson cols = ojson::array();
  for (const auto& c : t.columns) cols.push_back(sanitize_text(c));
  j["columns"] = cols;
  ojson rows = ojson::array();
  for (const auto& row : t.rows) {
    ojson o = ojson::object();
    for (size_t i = 0; i < row.size() && i < t.columns.size(); ++i)
      o[sanitize_text(t.columns[i])] = cell_json(row[i]);
    rows.push_back(o);
  }
  j["rows"] = rows;
  ojson notes = ojson::array();
  for (const auto& n : t.notes) notes.push_back(sanitize_text(n));
  j["notes"] = notes;
  j["empty_reason"] = t.rows.empty() ? ojson(sanitize_text(t.empty_reason)) : ojson(nullptr);
  return j;
}

std::string csv_value(const Cell& c) { return c.number ? fmt_shortest(*c.number) : ""; }

}  // namespace

std::string render_json(const Report& r, const std::string& plots_dir) {
  ojson j;
  j["title"] = sanitize_text(r.title);
  ojson header = ojson::object();
  for (const auto& [k, v] : r.header) header[sanitize_text(k)] = sanitize_text(v);
  j["header"] = header;
  ojson warnings = ojson::array();
  for (const auto& w : r.warnings) warnings.push_back(sanitize_text(w));
  j["warnings"] = warnings;
  ojson tables = ojson::array();
  for (const auto& t : r.tables) tables.push_back(table_json(t));
  j["tables"] = tables;
  ojson plots = ojson::array();
  for (const auto& p : r.plots)
    plots.push_back(
        {{"id", p.id},
         {"title", p.title},
         {"file", p.svg.empty() ? ojson(nullptr) : ojson(plots_dir + "/" + p.id + ".svg")},
         {"missing_reason", p.svg.empty() ? ojson(p.missing_reason) : ojson(nullptr)}});
  j["plots"] = plots;
  return j.dump(2) + "\n";
}

std::string render_csv(const Report& r) {
  std::string out = "table,row,column,value,text\n";
  auto line = [&](const std::string& table, const std::string& row, const std::string& col,
                  const std::string& value, const std::string& text) {
    out += csv_escape(table) + "," + row + "," + csv_escape(col) + "," + value + "," +
           csv_escape(text) + "\n";
  };
  for (size_t i = 0; i < r.header.size(); ++i)
    line("header", std::to_string(i), r.header[i].first, "", r.header[i].second);
  for (size_t i = 0; i < r.warnings.size(); ++i)
    line("warnings", std::to_string(i), "warning", "", r.warnings[i]);
  for (const auto& t : r.tables) {
    if (t.rows.empty()) line(t.id, "", "empty_reason", "", t.empty_reason);
    for (size_t i = 0; i < t.rows.size(); ++i)
      for (size_t c = 0; c < t.rows[i].size() && c < t.columns.size(); ++c)
        line(t.id, std::to_string(i), t.columns[c], csv_value(t.rows[i][c]), t.rows[i][c].text);
    for (size_t i = 0; i < t.notes.size(); ++i)
      line(t.id + ".notes", std::to_string(i), "note", "", t.notes[i]);
  }
  for (const auto& p : r.plots)
    line("plots", "", p.id, "",
         p.svg.empty() ? "not drawn: " + p.missing_reason : "plots/" + p.id + ".svg");
  return out;
}

std::string render_table_csv(const Table& t) {
  std::string out;
  for (size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + csv_escape(t.columns[i]);
  out += "\n";
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i)
      out += (i ? "," : "") + csv_escape(row[i].missing ? "" : row[i].text);
    out += "\n";
  }
  return out;
}

std::string render_table_json(const Table& t) {
  ojson rows = ojson::array();
  for (const auto& row : t.rows) {
    ojson o = ojson::object();
    for (size_t i = 0; i < row.size() && i < t.columns.size(); ++i)
      o[sanitize_text(t.columns[i])] = cell_json(row[i]);
    rows.push_back(o);
  }
  return rows.dump(2) + "\n";
}

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
