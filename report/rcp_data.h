// The MLPerf ResNet RCP files compiled into the binary (third_party/mlperf-rcp/, Apache-2.0,
// mlcommons/logging; generated source: cmake/Rn50EmbedRcp.cmake).
#pragma once

#include <vector>

namespace rn50::report {

struct EmbeddedRcpFile {
  const char* ruleset;  // "2.1.0"
  const char* path;     // "third_party/mlperf-rcp/rcps_resnet_training_2.1.0.json"
  const char* json;     // the file's bytes
};

const std::vector<EmbeddedRcpFile>& embedded_rcp_files();

}  // namespace rn50::report
