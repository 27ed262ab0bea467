// Reads one dllogger JSON record (the `{...}` after `DLLL `) with the shared JSON scanner
// (json_scan.h): the raport of a long run has millions of small flat records, so nothing is built
// but views of the fields the parser uses. Accepts the NaN, Infinity and -Infinity that Python's
// json.dumps writes, and counts them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/json_scan.h"

namespace rn50::parsers::ngc {

struct DlllRecord {
  std::optional<json::Value> timestamp, datetime, type;
  bool has_step = false;
  bool step_is_array = false;
  json::Value step_scalar;              // when the step is not an array
  std::vector<json::Value> step_items;  // when it is
  bool has_data = false;
  bool data_is_object = false;
  std::vector<std::pair<std::string_view, json::Value>> data;  // decoded names
  int non_json_numbers = 0;  // NaN / Infinity / -Infinity tokens seen
};

class DlllRecordReader {
 public:
  // Parses `text` (one JSON object, surrounding whitespace allowed) into `out`. Views in `out`
  // (and the decode() results of its strings) stay valid until the next call. On malformed input
  // returns false and sets `error`.
  bool read(std::string_view text, DlllRecord& out, std::string& error);

  // A string field of the current record, decoded.
  std::string_view decode(const json::Value& v) { return json::decode(v, arena_); }

 private:
  std::string arena_;  // decoded names and strings of the current record
};

}  // namespace rn50::parsers::ngc
