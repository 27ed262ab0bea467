// Reads one dllogger JSON record (the `{...}` after `DLLL `) without building a DOM: the raport
// of a long run has millions of small flat records, and a general JSON library spends most of
// its time allocating. Accepts the non-JSON tokens NaN, Infinity and -Infinity that Python's
// json.dumps writes, and reports them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rn50::parsers::ngc {

struct JsonScalar {
  enum class Kind { kNumber, kString, kBool, kNull, kNested };
  Kind kind = Kind::kNull;
  double number = 0;
  bool boolean = false;
  // kString: the unescaped content; kNumber: the number as written; kNested: the raw JSON text.
  std::string_view text;
  bool integral = false;  // kNumber written without fraction or exponent
};

struct DlllRecord {
  std::optional<JsonScalar> timestamp, datetime, type;
  bool has_step = false;
  bool step_is_array = false;
  JsonScalar step_scalar;              // when the step is not an array
  std::vector<JsonScalar> step_items;  // when it is
  bool has_data = false;
  bool data_is_object = false;
  std::vector<std::pair<std::string_view, JsonScalar>> data;
  int non_json_numbers = 0;  // NaN / Infinity / -Infinity tokens seen
};

class DlllRecordReader {
 public:
  // Parses `text` (one JSON object, surrounding whitespace allowed) into `out`. Views in `out`
  // stay valid until the next call. On malformed input returns false and sets `error`.
  bool read(std::string_view text, DlllRecord& out, std::string& error);

 private:
  std::string unescaped_;  // backing store for unescaped strings of the current record
};

}  // namespace rn50::parsers::ngc
