// compare.md: the verdict first, then what it rests on. JSON and CSV reuse the report renderers
// (render_json / render_csv of CompareResult::report, whose first table is the verdict).
#include "report/compare.h"
#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

std::string render_compare_markdown(const CompareResult& r, const std::string& plots_dir) {
  const Report& rep = r.report;
  std::string out = "# " + md_escape(rep.title) + "\n\n## Verdict\n\n";
  for (const auto& g : r.groups) {
    out += "**" + md_escape(g.label) + "**\n\n";
    out += "- Throughput (total_ips): " + md_escape(g.total_ips.verdict) + "\n";
    out += "- Time to train: " + md_escape(g.time_to_train.verdict) + "\n";
    out += "- Top-1: " + md_escape(g.top1.verdict) + "\n";
    out += "- Convergence vs MLPerf RCP: baseline " + md_escape(g.rcp_baseline.text) +
           "; candidate " + md_escape(g.rcp_candidate.text) + "\n\n";
  }
  for (const auto& [k, v] : rep.header)
    if (k == "Gate") out += "**Gate:** " + md_escape(v) + "\n\n";
  out += "## What the numbers rest on\n\n| Item | Value |\n|---|---|\n";
  for (const auto& [k, v] : rep.header) out += "| " + md_escape(k) + " | " + md_escape(v) + " |\n";
  out += "\n## Warnings\n\n";
  if (rep.warnings.empty()) out += "None.\n";
  for (const auto& w : rep.warnings) {
    // First line as the item, further lines ("- ...") as a nested list.
    size_t start = 0;
    bool first = true;
    while (start <= w.size()) {
      size_t end = w.find('\n', start);
      if (end == std::string::npos) end = w.size();
      std::string line = w.substr(start, end - start);
      if (first)
        out += "- **Warning:** " + md_escape(line) + "\n";
      else
        out += "  - " + md_escape(line.starts_with("- ") ? line.substr(2) : line) + "\n";
      first = false;
      start = end + 1;
    }
  }
  for (const auto& t : rep.tables) {
    if (t.id == "verdict") continue;  // said above in words
    out += "\n## " + md_escape(t.title) + "\n\n";
    if (!t.description.empty()) out += md_escape(t.description) + "\n\n";
    out += render_table_markdown(t);
  }
  out += "\n## Plots\n\n";
  for (const auto& p : rep.plots) {
    if (p.svg.empty())
      out += "- " + md_escape(p.title) + ": not drawn (" + md_escape(p.missing_reason) + ").\n";
    else
      out += "![" + md_escape(p.title) + "](" + plots_dir + "/" + p.id + ".svg)\n\n";
  }
  return out;
}

}  // namespace rn50::report
