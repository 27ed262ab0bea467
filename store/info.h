// What `rn50-exp db info` prints: identity, version and size of a store.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/database.h"

namespace rn50::store {

struct ExperimentInfo {
  std::string name;
  int64_t runs = 0;
  int64_t source_files = 0;
};

struct DbInfo {
  std::string path;
  int schema_version = 0;
  int64_t application_id = 0;
  std::vector<std::pair<std::string, int64_t>> table_rows;  // every table, schema order
  std::vector<ExperimentInfo> experiments;
};

DbInfo db_info(Database& db);

}  // namespace rn50::store
