#include "core/slurm_hostlist.h"

#include <charconv>

#include "core/error.h"

namespace rn50::core {
namespace {

[[noreturn]] void bad(const std::string& list, const std::string& why) {
  throw UsageError("SLURM host list '" + list + "': " + why);
}

// "01-04,7" -> {"01","02","03","04","7"}, as many as `limit` allows.
std::vector<std::string> expand_group(const std::string& list, const std::string& group,
                                      size_t limit) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= group.size() && out.size() < limit) {
    size_t comma = group.find(',', pos);
    if (comma == std::string::npos) comma = group.size();
    const std::string item = group.substr(pos, comma - pos);
    if (item.empty()) bad(list, "empty element in [" + group + "]");
    const size_t dash = item.find('-');
    const std::string lo_text = item.substr(0, dash);
    const std::string hi_text = dash == std::string::npos ? lo_text : item.substr(dash + 1);
    auto number = [&](const std::string& t) {
      uint64_t v = 0;
      const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (t.empty() || ec != std::errc() || p != t.data() + t.size())
        bad(list, "'" + item + "' in [" + group + "] is not a number or a range");
      return v;
    };
    const uint64_t lo = number(lo_text), hi = number(hi_text);
    if (hi < lo) bad(list, "range " + item + " runs backwards");
    const size_t width = lo_text.size() > 1 && lo_text[0] == '0' ? lo_text.size() : 0;
    for (uint64_t v = lo; v <= hi && out.size() < limit; ++v) {
      std::string s = std::to_string(v);
      if (s.size() < width) s.insert(0, width - s.size(), '0');
      out.push_back(std::move(s));
      if (v == UINT64_MAX) break;
    }
    pos = comma + 1;
  }
  return out;
}

// One entry ("rack[2-3]-n[1-4]") into `out`, leftmost group slowest.
void expand_entry(const std::string& list, const std::string& entry, std::vector<std::string>& out,
                  size_t limit) {
  std::vector<std::string> prefixes = {""};
  size_t pos = 0;
  while (pos < entry.size()) {
    const size_t open = entry.find('[', pos);
    const std::string text =
        entry.substr(pos, open == std::string::npos ? std::string::npos : open - pos);
    if (text.find(']') != std::string::npos) bad(list, "']' without '['");
    for (auto& p : prefixes) p += text;
    if (open == std::string::npos) break;
    const size_t close = entry.find(']', open);
    if (close == std::string::npos) bad(list, "unclosed '['");
    const std::string group = entry.substr(open + 1, close - open - 1);
    if (group.empty()) bad(list, "empty range []");
    const auto values = expand_group(list, group, limit);
    std::vector<std::string> next;
    for (const auto& p : prefixes) {
      for (const auto& v : values) {
        if (next.size() >= limit) break;
        next.push_back(p + v);
      }
    }
    prefixes = std::move(next);
    pos = close + 1;
  }
  for (auto& p : prefixes) {
    if (out.size() >= limit) return;
    out.push_back(std::move(p));
  }
}

}  // namespace

std::vector<std::string> expand_hostlist(const std::string& list, size_t limit) {
  std::vector<std::string> out;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i <= list.size() && out.size() < limit; ++i) {
    const char c = i < list.size() ? list[i] : ',';
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (depth < 0) bad(list, "']' without '['");
    if (c == ',' && depth == 0) {
      const std::string entry = list.substr(start, i - start);
      if (!entry.empty()) expand_entry(list, entry, out, limit);
      start = i + 1;
    }
  }
  if (depth > 0) bad(list, "unclosed '['");
  return out;
}

std::string first_host(const std::string& list) {
  const auto hosts = expand_hostlist(list, 1);
  if (hosts.empty()) bad(list, "no host");
  return hosts.front();
}

}  // namespace rn50::core
