// The identity of the native run log (docs/native-log.md), shared by its writer (trainer/) and its
// reader (parsers/): the schema name in the header record and the newest version.
#pragma once

namespace rn50::core {

inline constexpr const char* kNativeLogSchema = "rn50-native-log";
inline constexpr int kNativeLogVersion = 1;

}  // namespace rn50::core
