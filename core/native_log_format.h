// The identity of the native run log (docs/native-log.md), shared by its writer (trainer/), its
// reader (parsers/) and whoever asks for that reader (runner/, report/): the schema name in the
// header record, the newest version, and the format name stored as runs.source_format.
#pragma once

namespace rn50::core {

inline constexpr const char* kNativeLogSchema = "rn50-native-log";
inline constexpr int kNativeLogVersion = 1;
inline constexpr const char* kNativeLogFormat = "rn50-native";

}  // namespace rn50::core
