// docs/experiment.schema.json (for editors) must describe exactly the keys the C++ accepts.
#include <gtest/gtest.h>

#include <set>

#include "core/file_util.h"
#include "runner/experiment.h"
#include "test_support.h"

namespace rn50::runner {
namespace {

std::set<std::string> keys_of(const nlohmann::json& obj) {
  std::set<std::string> out;
  for (const auto& [k, v] : obj.items()) out.insert(k);
  return out;
}

TEST(ExperimentSchema, DocumentsTheAcceptedKeys) {
  const auto schema = nlohmann::json::parse(
      core::read_file(testing::source_dir() / "docs" / "experiment.schema.json"));
  const auto& props = schema.at("properties");
  EXPECT_EQ(keys_of(props),
            std::set<std::string>(experiment_keys().begin(), experiment_keys().end()));
  EXPECT_EQ(keys_of(props.at("matrix").at("properties")),
            std::set<std::string>(matrix_keys().begin(), matrix_keys().end()));
  EXPECT_EQ(schema.at("required"), nlohmann::json::array({"name", "role"}));
  EXPECT_FALSE(schema.at("additionalProperties").get<bool>());
}

}  // namespace
}  // namespace rn50::runner
