// The tables that `rn50-exp runs list|show|diff` print (MLflow/DVC habits: diff shows only what
// differs), and the choice of format for them.
#pragma once

#include <string>
#include <vector>

#include "report/report_model.h"
#include "store/queries.h"

namespace rn50::report {

Table runs_list_table(const std::vector<store::StoredRun>& runs);
// section | key | value | source — identity, facts (with provenance), derived, params, tags.
Table run_show_table(const store::StoredRun& run);
// section | key | #A | #B — only the rows whose values differ.
Table runs_diff_table(const store::StoredRun& a, const store::StoredRun& b);

// format: table | csv | json | md. Throws core::UsageError for another value.
std::string render_table(const Table& t, const std::string& format);

}  // namespace rn50::report
