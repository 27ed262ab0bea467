#include "parsers/registry.h"

#include <memory>

namespace rn50::parsers {

namespace {
// Sniffing looks at this many leading bytes; enough to pass banners and bash traces.
constexpr size_t kSniffBytes = 256 * 1024;

std::vector<std::unique_ptr<Parser>> make_all() {
  std::vector<std::unique_ptr<Parser>> v;
  v.push_back(make_native_log_parser());
  v.push_back(make_ngc_json_parser());
  v.push_back(make_ngc_stdout_parser());
  v.push_back(make_mlperf_parser());
  v.push_back(make_pytorch_examples_parser());
  v.push_back(make_enflame_report_parser());
  v.push_back(make_enflame_console_parser());
  v.push_back(make_torchvision_parser());
  v.push_back(make_timm_parser());
  v.push_back(make_tf_cnn_benchmarks_parser());
  return v;
}
}  // namespace

const std::vector<const Parser*>& all_parsers() {
  static const auto owned = make_all();
  static const auto views = [] {
    std::vector<const Parser*> v;
    for (const auto& p : owned) v.push_back(p.get());
    return v;
  }();
  return views;
}

const Parser* find_parser(std::string_view name) {
  for (const Parser* p : all_parsers())
    if (p->name() == name) return p;
  return nullptr;
}

const Parser* sniff_format(std::string_view content) {
  const std::string_view head = content.substr(0, kSniffBytes);
  const Parser* best = nullptr;
  int best_score = 0;
  for (const Parser* p : all_parsers()) {
    int s = p->sniff(head);
    if (s > best_score) {
      best = p;
      best_score = s;
    }
  }
  return best;
}

}  // namespace rn50::parsers
