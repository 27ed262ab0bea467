#include "parsers/ngc_json_record.h"

namespace rn50::parsers::ngc {

bool DlllRecordReader::read(std::string_view text, DlllRecord& out, std::string& error) {
  out.timestamp.reset();
  out.datetime.reset();
  out.type.reset();
  out.has_step = out.step_is_array = out.has_data = out.data_is_object = false;
  out.step_scalar = json::Value{};
  out.step_items.clear();
  out.data.clear();
  out.non_json_numbers = 0;
  arena_.clear();
  arena_.reserve(text.size());  // decoded text is never longer: views stay valid

  json::Scanner sc(text);
  auto count = [&](const json::Value& v) {
    if (v.non_json) ++out.non_json_numbers;
  };
  const bool ok = sc.object([&](const json::Value& k) -> bool {
    const std::string_view key = json::decode(k, arena_);
    if (key == "data") {
      out.has_data = true;
      if (sc.peek() != '{') {
        json::Value ignored;
        return sc.value(ignored);
      }
      out.data_is_object = true;
      return sc.object([&](const json::Value& name) {
        out.data.emplace_back(json::decode(name, arena_), json::Value{});
        if (!sc.value(out.data.back().second)) return false;
        count(out.data.back().second);
        return true;
      });
    }
    if (key == "step") {
      out.has_step = true;
      if (sc.peek() != '[') {
        if (!sc.value(out.step_scalar)) return false;
        count(out.step_scalar);
        return true;
      }
      out.step_is_array = true;
      return sc.array([&] {
        out.step_items.emplace_back();
        if (!sc.value(out.step_items.back())) return false;
        count(out.step_items.back());
        return true;
      });
    }
    json::Value v;
    if (!sc.value(v)) return false;
    count(v);
    if (key == "timestamp")
      out.timestamp = v;
    else if (key == "datetime")
      out.datetime = v;
    else if (key == "type")
      out.type = v;
    return true;
  });
  if (!ok) {
    error = sc.error();
    return false;
  }
  if (!sc.at_end()) {
    error = "text after the record";
    return false;
  }
  return true;
}

}  // namespace rn50::parsers::ngc
