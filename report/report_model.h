// What the analysis produces and the renderers format. Numbers are computed once, here; a
// renderer only chooses how to print a Cell (ANCHORS: google/benchmark reporters).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rn50::report {

struct Cell {
  std::string text;  // what Markdown/text/CSV print (may carry a label, e.g. "(compute)")
  std::optional<double> number;  // the value JSON prints; nullopt = text only, or missing
  bool missing = false;          // "n/a": the inputs to compute it are unknown

  static Cell str(std::string t) { return Cell{std::move(t), std::nullopt, false}; }
  static Cell num(double v, int decimals, const std::string& suffix = "");
  static Cell integer(long long v);
  static Cell na(std::string why = "n/a") { return Cell{std::move(why), std::nullopt, true}; }
};

struct Table {
  std::string id;  // stable machine name: summary, scaling, time_to_train, accuracy, runs
  std::string title;
  std::string description;  // definitions the numbers follow
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::vector<std::string> notes;  // per-table remarks (excluded runs, missing baselines)
  std::string empty_reason;        // set when there are no rows: says why
};

// Where a plot belongs in the report: curves of the runs' metric history (over steps and time,
// the step-time histogram) open the report when it has run cards; the others follow the tables.
enum class PlotSection { kCurves, kScaling, kEpochs };

struct Plot {
  std::string id;  // file stem: plots/<id>.svg
  std::string title;
  std::string svg;  // empty when the plot cannot be drawn
  std::string missing_reason;
  PlotSection section = PlotSection::kEpochs;
  std::string caption;  // how to read it (printed under the plot), when the SVG's footnote is short
};

// A run of the built-in trainer at a glance (what a TensorBoard/W&B user looks at first).
struct RunCard {
  int64_t run_id = 0;
  std::string title;                                       // "#12 name"
  std::vector<std::pair<std::string, std::string>> items;  // label, value (every value says why
                                                           // when it is absent)
};

struct Report {
  std::string title;
  std::vector<RunCard> cards;  // runs of the built-in trainer, first in the report
  std::string cards_note;      // why some or all cards are not shown (empty when all are)
  std::vector<std::pair<std::string, std::string>> header;  // what the numbers rest on
  std::vector<std::string> warnings;
  std::vector<Table> tables;
  std::vector<Plot> plots;
};

}  // namespace rn50::report
