// Maps key paths of a loaded document ("base.lr", "matrix.devices[1]") to file lines, so that
// validation errors can say "exp.yaml:12: base.lr: expected a number".
#pragma once

#include <map>
#include <string>

namespace rn50::core {

struct SourceLocator {
  std::string file;                  // as the user named it
  std::map<std::string, int> lines;  // key path -> 1-based line (absent for JSON without info)

  // "file:line: key.path" (line omitted when unknown, key omitted when empty).
  std::string where(const std::string& key_path) const {
    std::string out = file;
    if (auto it = lines.find(key_path); it != lines.end()) out += ":" + std::to_string(it->second);
    if (!key_path.empty()) out += ": " + key_path;
    return out;
  }
};

}  // namespace rn50::core
