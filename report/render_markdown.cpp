// report.md and the Markdown form of one table (`runs ... --format md`).
#include <algorithm>

#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

void table_body(std::string& out, const Table& t) {
  if (t.rows.empty()) {
    append(out, {"_", md_escape(t.empty_reason.empty() ? "No rows." : t.empty_reason), "_\n"});
  } else {
    out += "|";
    for (const auto& c : t.columns) append(out, {" ", md_escape(c), " |"});
    out += "\n|";
    for (size_t i = 0; i < t.columns.size(); ++i) out += "---|";
    out += "\n";
    for (const auto& row : t.rows) {
      out += "|";
      for (const auto& cell : row) append(out, {" ", md_escape(cell.text), " |"});
      out += "\n";
    }
  }
  if (!t.notes.empty()) {
    out += "\n";
    for (const auto& n : t.notes) append(out, {"- ", md_escape(n), "\n"});
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
      append(out, {"\n  - ", md_escape(dash == std::string::npos ? line : line.substr(dash + 2))});
    }
    first = false;
    start = end + 1;
  }
  return out;
}

}  // namespace

namespace {

// Drawn plots as linked images, then one list of the plots not drawn and why (a list item
// followed by an image would swallow it).
void plots_md(std::string& out, const std::vector<const Plot*>& plots,
              const std::string& plots_dir) {
  for (const auto* p : plots) {
    if (p->svg.empty()) continue;
    append(out, {"![", md_escape(p->title), "](", plots_dir, "/", p->id, ".svg)\n\n"});
    if (!p->caption.empty()) append(out, {md_escape(p->caption), "\n\n"});
  }
  for (const auto& [titles, reason] : missing_plots(plots)) {
    out += "- ";
    for (size_t i = 0; i < titles.size(); ++i) append(out, {i ? ", " : "", md_escape(titles[i])});
    append(out, {": not drawn (", md_escape(reason), ").\n"});
  }
}

void cards_md(std::string& out, const Report& r) {
  out += "## Runs of the built-in trainer\n\n";
  if (!r.cards_note.empty()) append(out, {md_escape(r.cards_note), "\n\n"});
  for (const auto& c : r.cards) {
    append(out, {"### ", md_escape(c.title), "\n\n| Item | Value |\n|---|---|\n"});
    for (const auto& [k, v] : c.items)
      append(out, {"| ", md_escape(k), " | ", md_escape(v), " |\n"});
    out += "\n";
  }
}

}  // namespace

std::vector<std::pair<std::vector<std::string>, std::string>> missing_plots(
    const std::vector<const Plot*>& plots) {
  std::vector<std::pair<std::vector<std::string>, std::string>> out;
  for (const auto* p : plots) {
    if (!p->svg.empty()) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& g) { return g.second == p->missing_reason; });
    if (it == out.end()) it = out.insert(out.end(), {{}, p->missing_reason});
    it->first.push_back(p->title);
  }
  return out;
}

std::string render_markdown(const Report& r, const std::string& plots_dir) {
  std::string out;
  append(out, {"# ", md_escape(r.title), "\n\n"});
  // Runs of the built-in trainer open the report with their cards and training curves.
  const bool curves_first = !r.cards.empty() || !r.cards_note.empty();
  std::vector<const Plot*> curves, others;
  for (const auto& p : r.plots)
    (curves_first && p.section == PlotSection::kCurves ? curves : others).push_back(&p);
  if (curves_first) {
    cards_md(out, r);
    out += "## Training curves\n\n";
    plots_md(out, curves, plots_dir);
    if (!out.empty() && out.back() == '\n' && out[out.size() - 2] != '\n') out += "\n";
  }
  out += "## What the numbers rest on\n\n| Item | Value |\n|---|---|\n";
  for (const auto& [k, v] : r.header)
    append(out, {"| ", md_escape(k), " | ", md_escape(v), " |\n"});
  out += "\n## Warnings\n\n";
  if (r.warnings.empty()) out += "None: the numbers below are comparable as shown.\n";
  for (const auto& w : r.warnings) append(out, {"- **Warning:** ", md_lines(w), "\n"});
  for (const auto& t : r.tables) {
    append(out, {"\n## ", md_escape(t.title), "\n\n"});
    if (!t.description.empty()) append(out, {md_escape(t.description), "\n\n"});
    table_body(out, t);
  }
  out += "\n## Plots\n\n";
  plots_md(out, others, plots_dir);
  return out;
}

std::string render_table_markdown(const Table& t) {
  std::string out;
  table_body(out, t);
  return out;
}

}  // namespace rn50::report
