// Loading YAML (or JSON) configuration files into nlohmann::json, with a key-path -> line map
// so that every later validation error can name "file:line: key.path".
//
// yaml-cpp 0.7 leaves plain scalars untyped and does not implement `<<:` merge keys, both of
// which NGC's configs.yml relies on. This loader:
//   * types plain scalars with the YAML 1.2 core schema: null/~/empty, true/false (also True,
//     TRUE, ...), decimal/0x/0o integers, floats incl. 1e-4, .5, .inf, -.inf, .nan; quoted
//     scalars always stay strings ("yes", "on", "1e3" in quotes are strings);
//   * expands merge keys (`<<: *anchor` or `<<: [*a, *b]`): keys written in the mapping win,
//     earlier entries of a merge list win over later ones;
//   * rejects duplicate keys, multi-document streams and non-scalar keys.
// JSON is read through the same path (it is YAML 1.2 flow syntax), so JSON files get lines too.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/source_locator.h"

namespace rn50::core {

struct Document {
  nlohmann::json root;          // null for an empty file
  core::SourceLocator locator;  // key paths: "base.lr", "matrix.devices[1]"; "" = the root
};

// Throws core::UsageError "file:line: ..." for syntax errors and core::Error when unreadable.
Document load_document(const std::filesystem::path& path);
// `file_name` is only used in messages and in the locator.
Document parse_document(std::string_view text, const std::string& file_name);

// Types one plain (unquoted) scalar as the YAML 1.2 core schema does.
nlohmann::json type_plain_scalar(const std::string& text);

// "a.b[2].c" -> joined path helpers used by loaders and validators.
std::string join_key(const std::string& parent, const std::string& key);
std::string join_index(const std::string& parent, size_t index);

// Applies `--set key.path=value`: the value is read as a YAML scalar or flow collection
// (`--set matrix.devices=[1,2]`), missing intermediate mappings are created. Line entries of the
// replaced subtree are dropped so that later errors do not point at the overridden file line.
// Throws core::UsageError naming the assignment when it is malformed.
void apply_override(Document& doc, const std::string& assignment);

// Sorted, compact JSON: the canonical form that is hashed.
std::string canonical_json(const nlohmann::json& value);

}  // namespace rn50::core
