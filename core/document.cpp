#include "core/document.h"

// GCC 12 reports yaml-cpp 0.7's node/impl.h (a false positive on a temporary it keeps alive);
// clang has no such warning.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/file_util.h"
#include "core/user_text.h"

namespace rn50::core {

namespace {

using nlohmann::json;

// Aliases may nest; a bound keeps a hostile file from exhausting the stack.
constexpr int kMaxDepth = 128;
// Aliases are shared in yaml-cpp but copied when converted: a "billion laughs" file of a few
// lines would expand to billions of values. No configuration holds anywhere near this many.
constexpr int64_t kMaxNodes = 1'000'000;
// The same for bytes: an alias of one long string, repeated within aliases, stays under the node
// budget and still fills the memory (a 3 KB file became 3 GB). Counts scalar text and key paths.
constexpr int64_t kMaxExpandedBytes = int64_t(64) << 20;
// Experiment and trainer files are hand-written; anything bigger is a mistake.
constexpr uintmax_t kMaxFileBytes = uintmax_t(16) << 20;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// [-+]?[0-9]+
bool is_int_literal(std::string_view t) {
  size_t i = (!t.empty() && (t[0] == '+' || t[0] == '-')) ? 1 : 0;
  if (i == t.size()) return false;
  for (; i < t.size(); ++i)
    if (!is_digit(t[i])) return false;
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float_literal(std::string_view t) {
  size_t i = (!t.empty() && (t[0] == '+' || t[0] == '-')) ? 1 : 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < t.size() && is_digit(t[i])) ++i, ++int_digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && is_digit(t[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < t.size() && is_digit(t[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == t.size();
}

std::optional<json> parse_int(const std::string& digits, int base) {
  const char* b = digits.data();
  const char* e = b + digits.size();
  bool neg = false;
  if (b != e && (*b == '+' || *b == '-')) {
    neg = *b == '-';
    ++b;
  }
  uint64_t mag = 0;
  auto [p, ec] = std::from_chars(b, e, mag, base);
  if (ec != std::errc() || p != e) return std::nullopt;
  if (neg) {
    if (mag > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) return std::nullopt;
    return json(static_cast<int64_t>(0 - mag));
  }
  if (mag > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return json(static_cast<int64_t>(mag));
}

bool path_within(const std::string& candidate, const std::string& path) {
  if (candidate.compare(0, path.size(), path) != 0) return false;
  if (candidate.size() == path.size()) return true;
  const char next = candidate[path.size()];
  return path.empty() || next == '.' || next == '[';
}

class Converter {
 public:
  Converter(std::string file) { loc_.file = std::move(file); }

  json convert(const YAML::Node& node, const std::string& path, int depth) {
    if (depth > kMaxDepth) fail(node, path, "nesting deeper than 128 levels (alias loop?)");
    if (++nodes_ > kMaxNodes)
      fail(node, path,
           "expands to more than " + std::to_string(kMaxNodes) +
               " values (aliases repeated within aliases: a YAML \"billion laughs\"?); refused");
    charge(node, path, path.size());
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node, path);
      case YAML::NodeType::Sequence: {
        json out = json::array();
        size_t i = 0;
        for (const auto& item : node) {
          const std::string p = join_index(path, i++);
          note_line(p, item);
          out.push_back(convert(item, p, depth + 1));
        }
        return out;
      }
      case YAML::NodeType::Map:
        return mapping(node, path, depth);
    }
    return json(nullptr);
  }

  core::SourceLocator take_locator() { return std::move(loc_); }

 private:
  [[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& msg) {
    std::string where = loc_.file;
    if (!node.Mark().is_null()) where += ":" + std::to_string(node.Mark().line + 1);
    if (!path.empty()) where += ": " + path;
    throw UsageError(where + ": " + msg);
  }

  void charge(const YAML::Node& node, const std::string& path, size_t bytes) {
    bytes_ += static_cast<int64_t>(bytes);
    if (bytes_ > kMaxExpandedBytes)
      fail(node, path,
           "expands to more than " + std::to_string(kMaxExpandedBytes >> 20) +
               " MiB of text (aliases repeated within aliases: a YAML \"billion laughs\"?); "
               "refused");
  }

  void note_line(const std::string& path, const YAML::Node& node) {
    if (!node.Mark().is_null()) loc_.lines.emplace(path, node.Mark().line + 1);
  }

  json scalar(const YAML::Node& node, const std::string& path) {
    const std::string& tag = node.Tag();
    const std::string& text = node.Scalar();
    charge(node, path, text.size());
    // YAML and JSON are Unicode; a stray byte would break the canonical JSON the plan hashes.
    if (!is_valid_utf8(text)) fail(node, path, "value is not UTF-8 text");
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return json(text);
    if (tag == "?" || tag.empty()) return type_plain_scalar(text);
    json typed = type_plain_scalar(text);
    if ((tag == "tag:yaml.org,2002:int" && typed.is_number_integer()) ||
        (tag == "tag:yaml.org,2002:float" && typed.is_number()) ||
        (tag == "tag:yaml.org,2002:bool" && typed.is_boolean()) ||
        (tag == "tag:yaml.org,2002:null" && typed.is_null())) {
      return tag == "tag:yaml.org,2002:float" ? json(typed.get<double>()) : typed;
    }
    fail(node, path, "value '" + text + "' does not match its tag " + tag);
  }

  // Keys written in this mapping win over merged ones; within a merge list the first wins.
  json mapping(const YAML::Node& node, const std::string& path, int depth) {
    json out = json::object();
    std::set<std::string> explicit_keys;
    std::vector<YAML::Node> merges;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // A copy: yaml-cpp's iterator hands out a temporary pair, gone at the end of the statement.
      const YAML::Node key = it->first;
      if (!key.IsScalar()) fail(key, path, "mapping keys must be plain scalars");
      const std::string k = key.Scalar();
      if (!is_valid_utf8(k)) fail(key, path, "key is not UTF-8 text");
      if (k == "<<" && key.Tag() == "?") {
        merges.push_back(it->second);
        continue;
      }
      const std::string p = join_key(path, k);
      if (!explicit_keys.insert(k).second) fail(key, p, "duplicate key");
      loc_.lines.emplace(p, key.Mark().line + 1);
      out[k] = convert(it->second, p, depth + 1);
    }
    for (const YAML::Node& m : merges) {
      std::vector<YAML::Node> sources;
      if (m.IsMap()) {
        sources.push_back(m);
      } else if (m.IsSequence()) {
        for (const auto& s : m) sources.push_back(s);
      }
      if (sources.empty() ||
          (m.IsSequence() && !std::all_of(sources.begin(), sources.end(),
                                          [](const YAML::Node& s) { return s.IsMap(); })))
        fail(m, join_key(path, "<<"), "merge key needs a mapping or a list of mappings");
      for (const YAML::Node& src : sources) {
        // Convert the source whole (it may merge further), then take the keys not yet set.
        const auto before = loc_.lines;
        json nested = mapping(src, path, depth + 1);
        std::vector<std::string> taken;
        for (auto& [k, v] : nested.items()) {
          if (out.contains(k)) continue;
          out[k] = std::move(v);
          taken.push_back(join_key(path, k));
        }
        // Drop line entries the conversion added for keys that were overridden.
        for (auto it = loc_.lines.begin(); it != loc_.lines.end();) {
          const bool added = !before.count(it->first);
          const bool kept = std::any_of(taken.begin(), taken.end(), [&](const std::string& t) {
            return path_within(it->first, t);
          });
          if (added && !kept)
            it = loc_.lines.erase(it);
          else
            ++it;
        }
      }
    }
    return out;
  }

  core::SourceLocator loc_;
  int64_t nodes_ = 0;
  int64_t bytes_ = 0;
};

// Where the document last begun starts (yaml-cpp's event interface, nothing else kept).
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark start = YAML::Mark::null_mark();
};

// The number of documents in `text`, and the proof that yaml-cpp's YAML::LoadAll will return.
// Given a token that cannot start a node where a document should begin (a stream starting with
// ',', say), LoadAll makes an empty document of it without reading on, and does so again forever
// until the memory is gone: each such document starts where the one before it did. Syntax errors
// throw YAML::Exception as LoadAll would.
size_t count_documents(std::string_view text, const std::string& file_name) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentStarts handler;
  size_t docs = 0;
  std::optional<int> previous;
  while (parser.HandleNextDocument(handler)) {
    const YAML::Mark m = handler.start;
    if (previous && m.pos == *previous) {
      const bool inside = m.pos >= 0 && static_cast<size_t>(m.pos) < text.size();
      const std::string token = inside ? std::string(1, text[size_t(m.pos)]) : std::string("end");
      throw UsageError(file_name + ":" + std::to_string(m.line + 1) + ": YAML syntax error: '" +
                       token + "' (column " + std::to_string(m.column + 1) +
                       ") cannot start a value");
    }
    previous = m.pos;
    ++docs;
  }
  return docs;
}

}  // namespace

std::string join_key(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string join_index(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

nlohmann::json type_plain_scalar(const std::string& t) {
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") return json(nullptr);
  if (t == "true" || t == "True" || t == "TRUE") return json(true);
  if (t == "false" || t == "False" || t == "FALSE") return json(false);
  if (is_int_literal(t)) {
    if (auto v = parse_int(t, 10)) return *v;
    return json(std::strtod(t.c_str(), nullptr));  // beyond int64: YAML allows it
  }
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o')) {
    const std::string digits = t.substr(2);
    const bool hex = t[1] == 'x';
    const bool ok = std::all_of(digits.begin(), digits.end(), [&](char c) {
      return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '7');
    });
    if (ok)
      if (auto v = parse_int(digits, hex ? 16 : 8)) return *v;
  }
  if (is_float_literal(t)) return json(std::strtod(t.c_str(), nullptr));
  static const std::set<std::string> kInf = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"};
  static const std::set<std::string> kNegInf = {"-.inf", "-.Inf", "-.INF"};
  if (kInf.count(t)) return json(std::numeric_limits<double>::infinity());
  if (kNegInf.count(t)) return json(-std::numeric_limits<double>::infinity());
  if (t == ".nan" || t == ".NaN" || t == ".NAN")
    return json(std::numeric_limits<double>::quiet_NaN());
  return json(t);
}

Document parse_document(std::string_view text, const std::string& file_name) {
  std::vector<YAML::Node> docs;
  try {
    const size_t count = count_documents(text, file_name);
    if (count > 1)
      throw UsageError(file_name + ": holds " + std::to_string(count) +
                       " YAML documents; expected one");
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where = file_name;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1);
    throw UsageError(where + ": YAML syntax error: " + e.msg);
  }
  Converter conv(file_name);
  Document out;
  try {
    out.root = docs.empty() ? json(nullptr) : conv.convert(docs[0], "", 0);
  } catch (const YAML::Exception& e) {
    // Bad aliases and similar surface only while walking the tree.
    std::string where = file_name;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1);
    throw UsageError(where + ": YAML error: " + e.msg);
  }
  out.locator = conv.take_locator();
  if (!docs.empty() && !docs[0].Mark().is_null()) out.locator.lines[""] = docs[0].Mark().line + 1;
  return out;
}

Document load_document(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw UsageError(path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw UsageError(path.string() + ": is a directory, expected a YAML or JSON file");
  if (!std::filesystem::is_regular_file(path, ec))
    throw UsageError(path.string() + ": not a regular file, expected a YAML or JSON file");
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxFileBytes)
    throw UsageError(path.string() + ": " + std::to_string(size) +
                     " bytes; a configuration file is at most 16 MiB");
  return parse_document(core::read_file(path, kMaxFileBytes), path.string());
}

void apply_override(Document& doc, const std::string& assignment) {
  const auto [path, value_text] = parse_key_value("--set", assignment);
  json value = parse_document(value_text, "--set " + path).root;

  // Walk "a.b[2].c": segments are keys or [index].
  if (!doc.root.is_object() && !doc.root.is_null())
    throw UsageError("--set " + path + ": the document is not a mapping");
  if (doc.root.is_null()) doc.root = json::object();
  json* cur = &doc.root;
  size_t i = 0;
  std::string walked;
  while (i < path.size()) {
    if (path[i] == '[') {
      const auto close = path.find(']', i);
      if (close == std::string::npos) throw UsageError("--set " + path + ": unclosed [");
      const std::string idx_text = path.substr(i + 1, close - i - 1);
      size_t idx = 0;
      auto [p, ec] = std::from_chars(idx_text.data(), idx_text.data() + idx_text.size(), idx);
      if (ec != std::errc() || p != idx_text.data() + idx_text.size())
        throw UsageError("--set " + path + ": bad index [" + idx_text + "]");
      if (!cur->is_array() || idx >= cur->size())
        throw UsageError("--set " + path + ": " + walked + " has no element [" + idx_text + "]");
      walked = join_index(walked, idx);
      cur = &(*cur)[idx];
      i = close + 1;
      if (i < path.size() && path[i] == '.') ++i;
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    if (end == std::string::npos) end = path.size();
    const std::string key = path.substr(i, end - i);
    if (key.empty()) throw UsageError("--set " + path + ": empty key segment");
    if (cur->is_null()) *cur = json::object();
    if (!cur->is_object())
      throw UsageError("--set " + path + ": " + (walked.empty() ? "the root" : walked) +
                       " is not a mapping");
    walked = join_key(walked, key);
    cur = &(*cur)[key];
    i = end;
    if (i < path.size() && path[i] == '.') ++i;
  }
  *cur = std::move(value);
  for (auto it = doc.locator.lines.begin(); it != doc.locator.lines.end();) {
    if (path_within(it->first, walked))
      it = doc.locator.lines.erase(it);
    else
      ++it;
  }
}

std::string canonical_json(const nlohmann::json& value) {
  // nlohmann::json objects are std::map-backed: dump() is already key-sorted.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

}  // namespace rn50::core
