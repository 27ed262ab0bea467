// core::parse_train_config: strictness and messages (the key set is the trainer's contract).
#include "core/train_config.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace rn50::core {
namespace {

using nlohmann::json;

SourceLocator loc_with_lines() {
  SourceLocator loc;
  loc.file = "exp.yaml";
  loc.lines = {{"base.lr", 12}, {"base.epochs", 7}, {"base.lr_milestones[1]", 9}};
  return loc;
}

std::string error_of(const json& doc, const std::string& prefix = "") {
  try {
    parse_train_config(doc, loc_with_lines(), prefix);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TrainConfig, DefaultsAndOverrides) {
  auto cfg = parse_train_config(json{{"arch", "resnet18"},
                                     {"epochs", 3},
                                     {"lr", 0.2},
                                     {"lr_schedule", "cosine"},
                                     {"data_backend", "synthetic"},
                                     {"nesterov", true},
                                     {"lr_milestones", {1, 2}},
                                     {"seed", 42},
                                     {"stem", "cifar"}},
                                loc_with_lines());
  EXPECT_EQ(cfg.arch, "resnet18");
  EXPECT_EQ(cfg.epochs, 3);
  EXPECT_DOUBLE_EQ(cfg.lr, 0.2);
  EXPECT_TRUE(cfg.nesterov);
  EXPECT_EQ(cfg.seed, 42u);
  EXPECT_EQ(cfg.stem, "cifar");
  EXPECT_EQ(cfg.batch_size, 256);  // untouched default
  EXPECT_EQ(cfg.lr_milestones, (std::vector<double>{1, 2}));
}

TEST(TrainConfig, ToJsonRoundTripsEveryKey) {
  TrainConfig a;
  a.data = "/data/fmnist";
  a.momentum = 0.875;
  a.lr_milestones = {5, 8};
  a.epochs = 10;
  json j = a.to_json();
  EXPECT_TRUE(j.contains("stem"));
  EXPECT_TRUE(j.contains("loss_scale_interval"));
  TrainConfig b = parse_train_config(j, SourceLocator{"mem.json", {}});
  EXPECT_EQ(b.to_json(), j);
  // Canonical: keys sorted, so dump() is stable for hashing.
  std::string prev;
  for (auto& [k, v] : j.items()) {
    EXPECT_LT(prev, k);
    prev = k;
  }
}

TEST(TrainConfig, UnknownKeyNamesFileKeyAndSuggests) {
  std::string e = error_of(json{{"data_backend", "synthetic"}, {"learning_rat", 1}}, "base");
  EXPECT_NE(e.find("exp.yaml: base.learning_rat: unknown key"), std::string::npos) << e;
  e = error_of(json{{"data_backend", "synthetic"}, {"epoch", 1}});
  EXPECT_NE(e.find("did you mean 'epochs'"), std::string::npos) << e;
}

TEST(TrainConfig, WrongTypesNameLineAndKey) {
  std::string e = error_of(json{{"data_backend", "synthetic"}, {"lr", "fast"}}, "base");
  EXPECT_EQ(e, "exp.yaml:12: base.lr: expected a number, got a string");
  e = error_of(json{{"data_backend", "synthetic"}, {"epochs", 2.5}}, "base.");
  EXPECT_EQ(e, "exp.yaml:7: base.epochs: expected an integer, got 2.5");
  e = error_of(json{{"data_backend", "synthetic"}, {"nesterov", "yes"}});
  EXPECT_EQ(e, "exp.yaml: nesterov: expected true or false, got a string");
  e = error_of(json{{"data_backend", "synthetic"}, {"lr_milestones", {1, 1}}, {"epochs", 5}},
               "base");
  EXPECT_EQ(e, "exp.yaml:9: base.lr_milestones[1]: milestones must increase");
}

TEST(TrainConfig, ImpossibleValues) {
  EXPECT_NE(error_of(json{{"data_backend", "synthetic"}, {"arch", "vgg16"}}).find("not one of"),
            std::string::npos);
  EXPECT_NE(error_of(json{{"data_backend", "synthetic"}, {"batch_size", 0}}).find("must be >= 1"),
            std::string::npos);
  EXPECT_NE(error_of(json{{"data_backend", "folder"}}).find("data: required"), std::string::npos);
  EXPECT_NE(error_of(json{{"data_backend", "synthetic"}, {"epochs", 10}})
                .find("lr_milestones: milestone 30 is after the last epoch"),
            std::string::npos);
  EXPECT_NE(
      error_of(
          json{{"data_backend", "synthetic"}, {"batch_size", 32}, {"optimizer_batch_size", 48}})
          .find("multiple of batch_size"),
      std::string::npos);
  EXPECT_NE(error_of(json::array()).find("expected a mapping"), std::string::npos);
  EXPECT_NE(error_of(json{{"data_backend", "synthetic"}, {"seed", -1}}).find("seed: must be >= 0"),
            std::string::npos);
}

}  // namespace
}  // namespace rn50::core
