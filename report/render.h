// Renderers: they only format a Report/Table computed by the analysis.
#pragma once

#include <string>

#include "report/report_model.h"

namespace rn50::report {

// report.md: links plots as `<plots_dir>/<id>.svg` (GitHub renders linked SVG, not inline SVG).
std::string render_markdown(const Report& r, const std::string& plots_dir = "plots");
// report.json: {title, header, warnings, tables:[{id,title,description,columns,rows,notes,
// empty_reason}], plots:[{id,title,file,missing_reason}]}.
std::string render_json(const Report& r, const std::string& plots_dir = "plots");
// report.csv: tidy long format, one line per cell: table,row,column,value,text.
std::string render_csv(const Report& r);

// One table on its own (runs list/show/diff): aligned text, Markdown, wide CSV, JSON array.
std::string render_table_text(const Table& t);
std::string render_table_markdown(const Table& t);
std::string render_table_csv(const Table& t);
std::string render_table_json(const Table& t);

}  // namespace rn50::report
