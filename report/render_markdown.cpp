// report.md and the Markdown form of one table (`runs ... --format md`).
#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

void table_body(std::string& out, const Table& t) {
  if (t.rows.empty()) {
    out += "_" + md_escape(t.empty_reason.empty() ? "No rows." : t.empty_reason) + "_\n";
  } else {
    out += "|";
    for (const auto& c : t.columns) out += " " + md_escape(c) + " |";
    out += "\n|";
    for (size_t i = 0; i < t.columns.size(); ++i) out += "---|";
    out += "\n";
    for (const auto& row : t.rows) {
      out += "|";
      for (const auto& cell : row) out += " " + md_escape(cell.text) + " |";
      out += "\n";
    }
  }
  if (!t.notes.empty()) {
    out += "\n";
    for (const auto& n : t.notes) out += "- " + md_escape(n) + "\n";
  }
}

// Multi-line warnings keep their sub-items as a nested list.
std::string md_lines(const std::string& text) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (first) {
      out += md_escape(line);
    } else {
      size_t dash = line.find("- ");
      out += "\n  - " + md_escape(dash == std::string::npos ? line : line.substr(dash + 2));
    }
    first = false;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string render_markdown(const Report& r, const std::string& plots_dir) {
  std::string out = "# " + md_escape(r.title) + "\n\n## What the numbers rest on\n\n";
  out += "| Item | Value |\n|---|---|\n";
  for (const auto& [k, v] : r.header) out += "| " + md_escape(k) + " | " + md_escape(v) + " |\n";
  out += "\n## Warnings\n\n";
  if (r.warnings.empty()) out += "None: the numbers below are comparable as shown.\n";
  for (const auto& w : r.warnings) out += "- **Warning:** " + md_lines(w) + "\n";
  for (const auto& t : r.tables) {
    out += "\n## " + md_escape(t.title) + "\n\n";
    if (!t.description.empty()) out += md_escape(t.description) + "\n\n";
    table_body(out, t);
  }
  out += "\n## Plots\n\n";
  for (const auto& p : r.plots) {
    if (p.svg.empty())
      out += "- " + md_escape(p.title) + ": not drawn (" + md_escape(p.missing_reason) + ").\n";
    else
      out += "![" + md_escape(p.title) + "](" + plots_dir + "/" + p.id + ".svg)\n\n";
  }
  return out;
}

std::string render_table_markdown(const Table& t) {
  std::string out;
  table_body(out, t);
  return out;
}

}  // namespace rn50::report
