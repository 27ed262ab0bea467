#include "store/info.h"

#include "store/sqlite_util.h"

namespace rn50::store {

DbInfo db_info(Database& db) {
  sqlite3* h = db.raw();
  DbInfo info;
  info.path = db.path();
  info.schema_version = db.schema_version();
  info.application_id = query_int(h, "PRAGMA application_id");
  std::vector<std::string> tables;
  {
    Statement st(h,
                 "SELECT name FROM sqlite_schema WHERE type = 'table' "
                 "AND name NOT LIKE 'sqlite_%' ORDER BY rowid");
    while (st.step()) tables.push_back(st.col_text(0));
  }
  for (const auto& t : tables)
    info.table_rows.emplace_back(t, query_int(h, "SELECT count(*) FROM \"" + t + "\""));
  Statement st(h,
               "SELECT e.name, count(m.id), count(DISTINCT r.source_file_id) FROM experiments e "
               "LEFT JOIN memberships m ON m.experiment_id = e.id "
               "LEFT JOIN runs r ON r.id = m.run_id GROUP BY e.id ORDER BY e.name");
  while (st.step()) info.experiments.push_back({st.col_text(0), st.col_int(1), st.col_int(2)});
  return info;
}

}  // namespace rn50::store
