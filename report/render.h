// Renderers: they only format a Report/Table computed by the analysis.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "report/report_model.h"

namespace rn50::report {

// report.md: links plots as `<plots_dir>/<id>.svg` (GitHub renders linked SVG, not inline SVG).
std::string render_markdown(const Report& r, const std::string& plots_dir = "plots");
// report.json: {title, header, warnings, tables:[{id,title,description,columns,rows,notes,
// empty_reason}], plots:[{id,title,file,missing_reason}]}.
std::string render_json(const Report& r, const std::string& plots_dir = "plots");
// report.csv: tidy long format, one line per cell: table,row,column,value,text.
std::string render_csv(const Report& r);
// report.html: one self-contained page, plots inline (no file it links, no network).
std::string render_html(const Report& r);

// The plots not drawn, grouped by reason in order of first appearance: (titles, reason). Nine
// curves missing for one reason make one line, not nine.
std::vector<std::pair<std::vector<std::string>, std::string>> missing_plots(
    const std::vector<const Plot*>& plots);

// One table on its own (runs list/show/diff): aligned text, Markdown, wide CSV, JSON array.
std::string render_table_text(const Table& t);
std::string render_table_markdown(const Table& t);
std::string render_table_csv(const Table& t);
std::string render_table_json(const Table& t);

}  // namespace rn50::report
