// report.json and the JSON form of one table (`runs ... --format json`).
#include <algorithm>

#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

// A hand-written emitter: nlohmann's ordered_json costs seconds on 10,000-run reports (every
// object key is a linear search), and the output only needs strings, numbers and null.
class JsonOut {
 public:
  std::string out;
  void indent(int level) {
    out += '\n';
    out.append(static_cast<size_t>(level) * 2, ' ');
  }
  void str(std::string_view s) { out += json_quote(s); }
  void number(double v) { out += fmt_shortest(v); }
  void cell(const Cell& c) {
    if (c.missing) {
      // Missing, and why (a set without a score says so here as in the Markdown).
      if (c.text.empty() || c.text == "n/a") {
        out += "null";
      } else {
        out += "{\"value\": null, \"reason\": ";
        str(c.text);
        out += '}';
      }
    } else if (c.number) {
      // A labelled value ("859.24 (compute)") keeps its label next to the number.
      if (c.text.find(' ') == std::string::npos) {
        number(*c.number);
      } else {
        out += "{\"value\": ";
        number(*c.number);
        out += ", \"text\": ";
        str(c.text);
        out += '}';
      }
    } else {
      str(c.text);
    }
  }
  void strings(const std::vector<std::string>& v, int level) {
    if (v.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      indent(level + 1);
      str(v[i]);
      if (i + 1 < v.size()) out += ',';
    }
    indent(level);
    out += ']';
  }
  void rows(const Table& t, int level) {
    if (t.rows.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (size_t r = 0; r < t.rows.size(); ++r) {
      indent(level + 1);
      out += '{';
      const auto& row = t.rows[r];
      const size_t n = std::min(row.size(), t.columns.size());
      for (size_t i = 0; i < n; ++i) {
        indent(level + 2);
        str(t.columns[i]);
        out += ": ";
        cell(row[i]);
        if (i + 1 < n) out += ',';
      }
      indent(level + 1);
      out += '}';
      if (r + 1 < t.rows.size()) out += ',';
    }
    indent(level);
    out += ']';
  }
  void key(std::string_view k, int level) {
    indent(level);
    str(k);
    out += ": ";
  }
};

void table_json(JsonOut& j, const Table& t, int level) {
  j.out += '{';
  j.key("id", level + 1);
  j.str(t.id);
  j.out += ',';
  j.key("title", level + 1);
  j.str(t.title);
  j.out += ',';
  j.key("description", level + 1);
  j.str(t.description);
  j.out += ',';
  j.key("columns", level + 1);
  j.strings(t.columns, level + 1);
  j.out += ',';
  j.key("rows", level + 1);
  j.rows(t, level + 1);
  j.out += ',';
  j.key("notes", level + 1);
  j.strings(t.notes, level + 1);
  j.out += ',';
  j.key("empty_reason", level + 1);
  if (t.rows.empty())
    j.str(t.empty_reason);
  else
    j.out += "null";
  j.indent(level);
  j.out += '}';
}

}  // namespace

std::string render_json(const Report& r, const std::string& plots_dir) {
  JsonOut j;
  j.out += '{';
  j.key("title", 1);
  j.str(r.title);
  j.out += ',';
  j.key("header", 1);
  j.out += '{';
  for (size_t i = 0; i < r.header.size(); ++i) {
    j.key(r.header[i].first, 2);
    j.str(r.header[i].second);
    if (i + 1 < r.header.size()) j.out += ',';
  }
  j.indent(1);
  j.out += "},";
  j.key("warnings", 1);
  j.strings(r.warnings, 1);
  j.out += ',';
  j.key("cards", 1);
  j.out += '[';
  for (size_t i = 0; i < r.cards.size(); ++i) {
    const auto& c = r.cards[i];
    j.indent(2);
    j.out += '{';
    j.key("run_id", 3);
    j.number(static_cast<double>(c.run_id));
    j.out += ',';
    j.key("title", 3);
    j.str(c.title);
    j.out += ',';
    j.key("items", 3);
    j.out += '{';
    for (size_t k = 0; k < c.items.size(); ++k) {
      j.key(c.items[k].first, 4);
      j.str(c.items[k].second);
      if (k + 1 < c.items.size()) j.out += ',';
    }
    j.indent(3);
    j.out += "}";
    j.indent(2);
    j.out += '}';
    if (i + 1 < r.cards.size()) j.out += ',';
  }
  if (!r.cards.empty()) j.indent(1);
  j.out += "],";
  j.key("cards_note", 1);
  if (r.cards_note.empty())
    j.out += "null";
  else
    j.str(r.cards_note);
  j.out += ',';
  j.key("tables", 1);
  j.out += '[';
  for (size_t i = 0; i < r.tables.size(); ++i) {
    j.indent(2);
    table_json(j, r.tables[i], 2);
    if (i + 1 < r.tables.size()) j.out += ',';
  }
  j.indent(1);
  j.out += "],";
  j.key("plots", 1);
  j.out += '[';
  for (size_t i = 0; i < r.plots.size(); ++i) {
    const auto& p = r.plots[i];
    j.indent(2);
    j.out += '{';
    j.key("id", 3);
    j.str(p.id);
    j.out += ',';
    j.key("title", 3);
    j.str(p.title);
    j.out += ',';
    j.key("file", 3);
    if (p.svg.empty())
      j.out += "null";
    else
      j.str(plots_dir + "/" + p.id + ".svg");
    j.out += ',';
    j.key("missing_reason", 3);
    if (p.svg.empty())
      j.str(p.missing_reason);
    else
      j.out += "null";
    j.out += ',';
    j.key("caption", 3);
    j.str(p.caption);
    j.indent(2);
    j.out += '}';
    if (i + 1 < r.plots.size()) j.out += ',';
  }
  j.indent(1);
  j.out += "]\n}\n";
  return j.out;
}

std::string render_table_json(const Table& t) {
  JsonOut j;
  j.rows(t, 0);
  return j.out + "\n";
}

}  // namespace rn50::report
