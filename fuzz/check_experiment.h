// What the experiment fuzz target checks (see fuzz/check_parsers.h): the path of `rn50-exp run
// --dry-run` from the bytes of an experiment file to the printed plan. Bad input is a
// core::UsageError (a message naming the file), never another exception; nothing else happens:
// no process is started, nothing outside `base_dir` is read and nothing is written.
//
// The input is the YAML (or JSON) text, optionally followed by NUL-separated `--set` assignments:
//   "name: x\nrole: accuracy\n" "\0" "base.lr=0.1" "\0" "matrix.devices=[1,2]"
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/document.h"
#include "core/error.h"
#include "runner/experiment.h"
#include "runner/plan.h"

namespace rn50::fuzz {

// A base_config path outside `base_dir` (absolute, or with "..") becomes its last component, so
// that an input never reads the machine's files; the fuzzer's folder holds a few configs.
inline void confine_base_config(core::Document& doc) {
  if (!doc.root.is_object()) return;
  auto it = doc.root.find("base_config");
  if (it == doc.root.end() || !it->is_string()) return;
  const std::filesystem::path p = it->get<std::string>();
  bool outside = p.is_absolute();
  for (const auto& part : p) outside = outside || part == "..";
  if (outside) *it = p.filename().string();
}

inline std::string check_experiment(std::string_view bytes, const std::filesystem::path& base_dir) {
  std::string_view text = bytes.substr(0, bytes.find('\0'));
  std::vector<std::string> sets;
  for (size_t pos = text.size(); pos < bytes.size() && sets.size() < 4;) {
    const size_t next = std::min(bytes.find('\0', pos + 1), bytes.size());
    sets.emplace_back(bytes.substr(pos + 1, next - pos - 1));
    pos = next;
  }
  try {
    core::Document doc = core::parse_document(text, "fuzz.yaml");
    for (const auto& s : sets) core::apply_override(doc, s);
    confine_base_config(doc);
    const runner::Experiment exp = runner::parse_experiment(std::move(doc), base_dir);
    const runner::Plan plan = runner::expand_plan(exp);
    (void)runner::format_plan(exp, plan);
    runner::LaunchScope scope;
    scope.cpu_cores = 2;
    (void)runner::select_runs(exp, plan, scope);
  } catch (const core::UsageError& e) {
    const std::string_view msg = e.what();
    // A message may quote the input, which may say anything.
    if (msg.find("[json.exception") != std::string_view::npos &&
        bytes.find("[json.exception") == std::string_view::npos)
      return std::string("library exception text: ") + e.what();
    // It names what is wrong: the file, an assignment, or the base_config file.
    if (msg.rfind("fuzz.yaml", 0) != 0 && msg.rfind("--set ", 0) != 0 &&
        msg.rfind(base_dir.string(), 0) != 0)
      return std::string("a usage error that names no file: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("exception other than UsageError: ") + e.what();
  }
  return "";
}

// Fills `dir` with the trainer configs that experiment files name (experiments/configs) and a
// base_config that is not a mapping, so that base_config paths lead somewhere.
inline void prepare_experiment_dir(const std::filesystem::path& dir,
                                   const std::filesystem::path& source_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir / "configs", ec);
  fs::create_directories(dir / "include", ec);
  for (const auto& e : fs::directory_iterator(source_dir / "experiments" / "configs", ec)) {
    fs::copy_file(e.path(), dir / "configs" / e.path().filename(),
                  fs::copy_options::overwrite_existing, ec);
    fs::copy_file(e.path(), dir / e.path().filename(), fs::copy_options::overwrite_existing, ec);
  }
  for (const auto& e : fs::directory_iterator(
           source_dir / "tests" / "fixtures" / "experiments" / "bad" / "include", ec))
    fs::copy_file(e.path(), dir / "include" / e.path().filename(),
                  fs::copy_options::overwrite_existing, ec);
  for (const char* name : {"list.yaml", "configs/list.yaml"}) {
    FILE* f = std::fopen((dir / name).c_str(), "w");
    if (f) {
      std::fputs("- 1\n- 2\n", f);
      std::fclose(f);
    }
  }
}

}  // namespace rn50::fuzz
