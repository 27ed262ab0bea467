// `rn50-exp ingest` on the real corpus: every log stored once, values as EXPECTED.md states.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <optional>

#include "report_cli_util.h"
#include "test_support.h"

namespace rn50 {
namespace {

namespace fs = std::filesystem;
using report_cli::CliResult;
using report_cli::q;
using report_cli::rn50;

// Minimal read-only access with the SQLite C API, as a user's script would do.
class Db {
 public:
  explicit Db(const fs::path& p) {
    if (sqlite3_open_v2(p.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      ADD_FAILURE() << "cannot open " << p << ": " << sqlite3_errmsg(db_);
  }
  ~Db() { sqlite3_close(db_); }
  // First column of the first row; nullopt for NULL or no row.
  std::optional<double> num(const std::string& sql) {
    auto rows = texts(sql);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return std::nullopt;
    return std::stod(*rows[0][0]);
  }
  std::string text(const std::string& sql) {
    auto rows = texts(sql);
    return rows.empty() || !rows[0][0] ? "<null>" : *rows[0][0];
  }
  std::vector<std::vector<std::optional<std::string>>> texts(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    std::vector<std::vector<std::optional<std::string>>> out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto& row = out.emplace_back();
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        row.push_back(t ? std::optional<std::string>(t) : std::nullopt);
      }
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// Every real log in the corpus (everything else there is a README, a system description, a
// packager log or a DLPerf aggregation output).
const char* kLogs[] = {
    "mlperf/v0.6-nvidia-dgx1/result_0.txt",
    "mlperf/v1.0-google-tpuv4-128/result_0.txt",
    "mlperf/v1.0-google-tpuv4-128/result_1.txt",
    "mlperf/v1.0-google-tpuv4-128/result_2.txt",
    "mlperf/v1.0-google-tpuv4-128/result_3.txt",
    "mlperf/v1.0-google-tpuv4-128/result_4.txt",
    "mlperf/v1.0-nvidia-dgxa100/result_0.txt",
    "mlperf/v1.0-nvidia-dgxa100/result_1.txt",
    "mlperf/v1.0-nvidia-dgxa100/result_2.txt",
    "mlperf/v1.0-nvidia-dgxa100/result_3.txt",
    "mlperf/v1.0-nvidia-dgxa100/result_4.txt",
    "ngc-dllogger-json/example_resnet_log.json",
    "ngc-dllogger-json/zeyuanyin_experiment_raport.json",
    "ngc-stdout/airank/GPUx1_accuracy.log",
    "ngc-stdout/airank/GPUx1_time2train_ips.log",
    "ngc-stdout/airank/GPUx32_time2train_ips.log",
    "ngc-stdout/airank/GPUx8_time2train_ips.log",
    "ngc-stdout/dlperf/ngc_pytorch_2n8g_r50_b128_fp32_5.excerpt.log",
    "pytorch-examples/dlperf/pytorch_examples_dali_2n8g.excerpt.log",
    "pytorch-examples/dlperf/pytorch_examples_dali_4n8g.excerpt.log",
    "pytorch-examples/eval/s3_shift_resnet50_eval.excerpt.log",
    "pytorch-examples/tfboyd/worker_0_stdout.2018_prec_format.txt",
    "pytorch-examples/tfboyd/worker_0_stdout.2019_progressmeter.txt",
    "enflame-console/enflame_train_resnet50_1proc_2ep.log",
    "torchvision-references/tvref_resnet18_2ep_b32.log",
    "torchvision-references/tvref_resnet18_2rank_torchrun_tee.log",
    "torchvision-references/tvref_resnet18_interrupted_epoch1.log",
    "timm/summary_res50_100.csv",
    "timm/summary_res50_200.csv",
    "tf-cnn-benchmarks/3970X-Radeon-VII-Pro-PCIEGen3__syn-replicated-fp16-2gpus__resnet50-192.log",
    "tf-cnn-benchmarks/7502-A100-PCIE-40GB__syn-replicated-fp16-2gpus__resnet50-448.log",
};

class IngestCorpus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(testing::make_temp_dir("rn50-ingest-corpus"));
    if (!fs::is_directory(testing::corpus_dir())) return;
    first_ =
        new CliResult(rn50("ingest " + q(testing::corpus_dir().string()) + " --db c.db", *dir_));
    second_ =
        new CliResult(rn50("ingest " + q(testing::corpus_dir().string()) + " --db c.db", *dir_));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete first_;
    delete second_;
  }
  void SetUp() override {
    RN50_REQUIRE_CORPUS();
    ASSERT_NE(first_, nullptr);
  }
  static std::string where(const std::string& rel) {
    return "source_path = " + q((testing::corpus_dir() / rel).string());
  }
  static fs::path* dir_;
  static CliResult* first_;
  static CliResult* second_;
};
fs::path* IngestCorpus::dir_ = nullptr;
CliResult* IngestCorpus::first_ = nullptr;
CliResult* IngestCorpus::second_ = nullptr;

TEST_F(IngestCorpus, EveryLogIsStoredOnceAndASecondRunAddsNothing) {
  EXPECT_EQ(first_->exit_code, 0) << first_->out << first_->err;
  Db db(*dir_ / "c.db");
  for (const char* rel : kLogs) {
    EXPECT_EQ(db.num("SELECT count(*) FROM v_run_summary WHERE " + where(rel)), 1) << rel;
    // One summary line per file, naming it.
    EXPECT_NE(first_->out.find((testing::corpus_dir() / rel).string() + ": "), std::string::npos)
        << rel;
  }
  EXPECT_NE(first_->out.find("EXPECTED.md: skipped: not a known log format"), std::string::npos);
  EXPECT_NE(first_->out.find("system_tpu-v4-128-TF.json: skipped"), std::string::npos);
  EXPECT_NE(first_->out.find("packager_and_summarizer.log: skipped"), std::string::npos);

  EXPECT_EQ(second_->exit_code, 0) << second_->err;
  EXPECT_NE(second_->out.find(": 0 file(s) stored (0 runs)"), std::string::npos) << second_->out;
  EXPECT_NE(second_->out.find("GPUx1_accuracy.log: already ingested"), std::string::npos);
  const auto runs = db.num("SELECT count(*) FROM runs");
  const auto files = db.num("SELECT count(*) FROM source_files");
  EXPECT_EQ(runs, files);
  EXPECT_GE(*files, static_cast<double>(std::size(kLogs)));
}

TEST_F(IngestCorpus, AiRankOneCardMatchesPublishedNumbers) {
  Db db(*dir_ / "c.db");
  const std::string w = where("ngc-stdout/airank/GPUx1_time2train_ips.log");
  auto col = [&](const std::string& c) {
    return db.num("SELECT " + c + " FROM v_run_summary WHERE " + w);
  };
  EXPECT_NEAR(*col("wall_time_s"), 137335.28, 1.0);
  EXPECT_NEAR(*col("time_to_target_s"), 126696.97, 1.0);
  EXPECT_NEAR(*col("summary_compute_ips"), 859.24, 1e-9);
  EXPECT_NEAR(*col("summary_total_ips"), 854.37, 1e-9);
  EXPECT_NEAR(*col("best_top1"), 76.63, 1e-9);
  EXPECT_NEAR(*col("last_top1"), 76.63, 1e-9);
  EXPECT_NEAR(*col("best_top5"), 93.04, 1e-9);
  // 76.63 is reached at epoch 87 and again at 89; docs/definitions.md: the FIRST epoch reaching it.
  EXPECT_EQ(*col("best_top1_epoch"), 89);
  EXPECT_EQ(*col("target_epoch"), 82);
  EXPECT_EQ(*col("epochs_completed"), 90);
  EXPECT_EQ(*col("world_size"), 1);
  EXPECT_EQ(db.text("SELECT status || ' ' || precision FROM v_run_summary WHERE " + w),
            "finished amp");
  EXPECT_EQ(db.num("SELECT count(*) FROM v_epoch_metrics e JOIN v_run_summary s USING (run_id) "
                   "WHERE s." +
                   w),
            90);
  EXPECT_NEAR(*db.num("SELECT top1 FROM v_epoch_metrics e JOIN v_run_summary s USING (run_id) "
                      "WHERE s." +
                      w + " AND e.epoch = 82"),
              75.97, 1e-9);
}

TEST_F(IngestCorpus, MlperfMinutesAndStatuses) {
  Db db(*dir_ / "c.db");
  struct Want {
    const char* rel;
    double minutes;
    const char* status;
  };
  const Want wants[] = {
      {"mlperf/v1.0-nvidia-dgxa100/result_0.txt", 28.7424, "finished"},
      {"mlperf/v1.0-nvidia-dgxa100/result_1.txt", 30.3474, "aborted"},
      {"mlperf/v1.0-nvidia-dgxa100/result_2.txt", 28.8286, "finished"},
      {"mlperf/v1.0-nvidia-dgxa100/result_3.txt", 28.5121, "finished"},
      {"mlperf/v1.0-nvidia-dgxa100/result_4.txt", 28.7416, "finished"},
      {"mlperf/v1.0-google-tpuv4-128/result_0.txt", 4.3017, "finished"},
      {"mlperf/v1.0-google-tpuv4-128/result_1.txt", 4.3006, "finished"},
      {"mlperf/v1.0-google-tpuv4-128/result_2.txt", 4.3017, "finished"},
      {"mlperf/v1.0-google-tpuv4-128/result_3.txt", 4.3011, "finished"},
      {"mlperf/v1.0-google-tpuv4-128/result_4.txt", 4.3001, "finished"},
      {"mlperf/v0.6-nvidia-dgx1/result_0.txt", 115.3370, "finished"},
  };
  for (const Want& wnt : wants) {
    const std::string w = where(wnt.rel);
    // Agrees to 4 decimals. tpu result_0 is 258.099 s = 4.30165 min exactly; unix-seconds
    // doubles put it a hair below the half, hence the 1e-6 allowance.
    EXPECT_NEAR(*db.num("SELECT wall_time_s / 60 FROM v_run_summary WHERE " + w), wnt.minutes,
                0.5e-4 + 1e-6)
        << wnt.rel;
    EXPECT_EQ(db.text("SELECT status FROM v_run_summary WHERE " + w), wnt.status) << wnt.rel;
  }
  // The aborted run has no time to target; the system json beside the results gives devices.
  const std::string r1 = where("mlperf/v1.0-nvidia-dgxa100/result_1.txt");
  EXPECT_EQ(db.text("SELECT time_to_target_s FROM v_run_summary WHERE " + r1), "<null>");
  EXPECT_EQ(db.num("SELECT world_size FROM v_run_summary WHERE " + r1), 8);
  EXPECT_EQ(db.text("SELECT f.source FROM facts f JOIN v_run_summary s ON s.run_id = f.run_id "
                    "WHERE f.field = 'world_size' AND s." +
                    r1),
            "inferred");
}

TEST_F(IngestCorpus, InterruptedNgcJsonRunIsIncomplete) {
  Db db(*dir_ / "c.db");
  const std::string w = where("ngc-dllogger-json/zeyuanyin_experiment_raport.json");
  EXPECT_EQ(db.text("SELECT status FROM v_run_summary WHERE " + w), "incomplete");
  EXPECT_EQ(db.num("SELECT count(*) FROM v_metric_history h JOIN v_run_summary s USING (run_id) "
                   "WHERE h.key = 'train.total_ips' AND h.level = 'iter' AND s." +
                   w),
            752);
}

TEST(IngestCli, PytorchExamplesWindowGivesPublishedThroughput) {
  RN50_REQUIRE_CORPUS();
  const auto dir = testing::make_temp_dir("rn50-ingest-window");
  const auto log =
      testing::corpus_dir() / "pytorch-examples/tfboyd/worker_0_stdout.2019_progressmeter.txt";
  CliResult r = rn50("ingest " + q(log.string()) +
                         " --window 30:210 --experiment tfboyd "
                         "--tag gpu=v100 --set nodes=1 --db w.db",
                     dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  {
    Db db(dir / "w.db");
    EXPECT_NEAR(*db.num("SELECT total_ips FROM v_run_summary"), 354.16, 0.005);
    EXPECT_EQ(db.text("SELECT experiment || ' ' || tags FROM v_run_summary"), "tfboyd gpu=v100");
    EXPECT_EQ(db.text("SELECT source FROM facts WHERE field = 'nodes'"), "user");
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rn50
