// report.csv (tidy long format) and the wide CSV form of one table (`runs ... --format csv`).
#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

std::string csv_value(const Cell& c) { return c.number ? fmt_shortest(*c.number) : ""; }

}  // namespace

std::string render_csv(const Report& r) {
  std::string out = "table,row,column,value,text\n";
  auto line = [&](const std::string& table, const std::string& row, const std::string& col,
                  const std::string& value, const std::string& text) {
    append(out, {csv_escape(table), ",", row, ",", csv_escape(col), ",", value, ",",
                 csv_escape(text), "\n"});
  };
  for (size_t i = 0; i < r.header.size(); ++i)
    line("header", std::to_string(i), r.header[i].first, "", r.header[i].second);
  for (size_t i = 0; i < r.warnings.size(); ++i)
    line("warnings", std::to_string(i), "warning", "", r.warnings[i]);
  for (const auto& c : r.cards)
    for (const auto& [k, v] : c.items) line("cards", std::to_string(c.run_id), k, "", v);
  if (!r.cards_note.empty()) line("cards", "", "note", "", r.cards_note);
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
  for (size_t i = 0; i < t.columns.size(); ++i)
    append(out, {i ? "," : "", csv_escape(t.columns[i])});
  out += "\n";
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i)
      append(out, {i ? "," : "", csv_escape(row[i].missing ? "" : row[i].text)});
    out += "\n";
  }
  return out;
}

}  // namespace rn50::report
