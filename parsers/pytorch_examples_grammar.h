// Line grammar of pytorch/examples imagenet/main.py output, separate from the run assembly so the
// sniffer and the parser agree on what a valid line is.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rn50::parsers::pytorch_examples {

enum class LineKind {
  kTrain,          // "Epoch: [" found
  kTest,           // "Test: [" found
  kSummary,        // " * Acc@1" / " * Prec@1" (any spacing after the star)
  kUseGpu,         // "Use GPU: k for training"
  kCreatingModel,  // "=> creating model 'resnet50'"
  kCommand,        // an echoed "python ... main.py ..." command line
  kOther,
};

// Cheap classification: prefix checks only, no number parsing.
LineKind classify(std::string_view line);

struct ProgressLine {
  bool is_train = true;
  std::optional<int64_t> rank;  // from an mpirun --tag-output prefix "[job,rank]<stdout>:"
  int64_t epoch = 0;            // train lines only
  int64_t index = 0;            // as printed (0-based before 2022-06, i+1 after)
  int64_t total = 0;            // N in [I/N]: iterations per epoch (train) or val batches (test)
  std::optional<double> time, time_avg, data, loss, loss_avg, top1, top5;
};

// Full grammar of a train or test line; false (with p.is_train set) when malformed.
bool parse_progress(std::string_view line, ProgressLine& p);

struct SummaryLine {
  std::optional<double> top1, top5;
};
bool parse_summary(std::string_view line, SummaryLine& s);

std::optional<int64_t> parse_use_gpu(std::string_view line);
std::string parse_creating_model(std::string_view line);

struct CommandLine {
  std::map<std::string, std::string> args;  // argparse dest -> value ("True" for flags)
  std::string cuda_visible_devices;         // from a VAR=... assignment before python
};
// An echoed command running main.py: "[CUDA_VISIBLE_DEVICES=0,1] python main.py -a resnet50 -b 256
// DIR".
bool parse_command_line(std::string_view line, CommandLine& c);

}  // namespace rn50::parsers::pytorch_examples
