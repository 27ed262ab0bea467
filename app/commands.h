// One setup function per subcommand: it registers the subcommand (options, help) on the parent
// and returns the function that runs it. The runner never sees argv (unit-testable run_X).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rn50::app {

using Runner = std::function<int()>;

Runner setup_ingest(CLI::App& parent);   // app/cmd_ingest.cpp
Runner setup_report(CLI::App& parent);   // app/cmd_report.cpp
Runner setup_runs(CLI::App& parent);     // app/cmd_runs.cpp
Runner setup_db(CLI::App& parent);       // app/cmd_db.cpp
#ifdef RN50_TORCH_COMMANDS               // only in rn50-exp-torch (see app/torch_forward.h)
Runner setup_train(CLI::App& parent);    // app/cmd_train.cpp
Runner setup_dataset(CLI::App& parent);  // app/cmd_dataset.cpp
Runner setup_worker(CLI::App& parent);   // app/cmd_worker.cpp (internal: one rank process)
#endif
Runner setup_run(CLI::App& parent);  // app/cmd_run.cpp

Runner setup_compare(CLI::App& parent);  // app/cmd_compare.cpp

// Whether a command creates the database when it is absent (ingest, run) or needs it to exist
// (report, runs, compare, db: they refuse with exit 2 instead of creating an empty file).
enum class DbUse { kCreatesWhenAbsent, kMustExist };

// Default database path: --db, else $RN50_EXP_DB, else rn50.db.
void add_db_option(CLI::App& sub, std::string& db_path, DbUse use);

// Absolute path of the running binary (/proc/self/exe).
std::string self_executable();

}  // namespace rn50::app
