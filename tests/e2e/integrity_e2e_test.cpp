// The store under real processes: `ksauth train` killed at many moments, two trainings in two processes at
// once with predictions beside them, and files given as --db that are not ksauth databases (or are damaged).
// Generated data only: no shared data needed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "app/data_set.hpp"
#include "app/model_cache.hpp"
#include "app/model_registry.hpp"
#include "app/predict.hpp"
#include "core/error.hpp"
#include "support/child_process.hpp"
#include "support/fixtures.hpp"

namespace ksauth {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::synthetic_attempts;

constexpr const char* kPhrase = "hello";

std::string sqlite_text(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  std::string out = "(cannot open)";
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    out = "(cannot prepare)";
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
      out = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)
                ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0))
                : "(no row)";
      sqlite3_finalize(s);
    }
  }
  sqlite3_close(handle);
  return out;
}

// Generated typists in chains of pages; the ksauth binary run on them with a database of the test's.
class StoreUnderProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    chain_ = chain(chain_dir_, {0, 1, 2, 3, 4, 5});
    test_attempts_ = synthetic_attempts("bob", 1, kPhrase, 4, true, 5);
    for (auto& a : synthetic_attempts("cat", 2, kPhrase, 4, true, 5)) test_attempts_.push_back(a);
  }

  // A chain of the typists with these numbers (50 attempts each) in `folder`.
  static std::string chain(const testing::TempDir& folder, const std::vector<int>& typists) {
    static const char* names[] = {"ann", "bob", "cat", "dan", "eve", "fay"};
    std::vector<std::vector<Attempt>> users;
    for (int t : typists) users.push_back(synthetic_attempts(names[t], t, kPhrase, 50, true));
    return testing::write_chain(folder, users);
  }

  std::string db() const { return dir_.file("ksauth.db"); }

  std::vector<std::string> train_args(const std::string& db_path, const std::string& chain, const std::string& name,
                                      int n_estimators, bool replace) const {
    std::vector<std::string> args{KSAUTH_BINARY, "--db", db_path, "train", chain, "--model", "adaboost", "--name", name,
                                  "--seed", "3", "--param", "n_estimators=" + std::to_string(n_estimators)};
    if (replace) args.push_back("--replace");
    return args;
  }

  // Runs ksauth to its end; its exit status and stderr.
  std::pair<int, std::string> run(const std::vector<std::string>& args) const {
    ChildProcess child(args, dir_.file("out.txt"), dir_.file("err.txt"));
    const auto status = child.wait_for(120s);
    EXPECT_TRUE(status.has_value()) << args[3] << " did not end";
    return {status.value_or(-1), testing::file_text(dir_.file("err.txt"))};
  }

  // Every data set loads (its attempts checked) and every model opens and scores every test attempt.
  void expect_everything_loads(const std::string& db_path, const std::string& when) const {
    EXPECT_EQ(sqlite_text(db_path, "PRAGMA integrity_check"), "ok") << when;
    const store::Store store(db_path);
    for (const auto& d : store.list_datasets())
      EXPECT_EQ(app::load_stored_data(store, d.id, {}).attempts.size(), static_cast<std::size_t>(d.n_attempts)) << when;
    for (const auto& m : store.list_models()) {
      const auto report = app::predict_attempts(app::open_model(store, m.name), test_attempts_);
      EXPECT_EQ(report.n_ok, test_attempts_.size()) << when << ": model " << m.name;
    }
  }

  testing::TempDir dir_, chain_dir_;
  std::string chain_;
  std::vector<Attempt> test_attempts_;
};

// The blob stored under `name` ("" when there is none).
std::string stored_blob(const std::string& db, const std::string& name) {
  const store::Store store(db);
  const auto model = store.get_model(name);
  return model ? model->blob : std::string();
}

TEST_F(StoreUnderProcesses, TrainingKilledAtAnyMomentLeavesTheOldModelOrTheNewOneWhole) {
  // The model as it is before (10 rounds) and as a finished replacement makes it (30 rounds: the same data
  // and seed give the same bytes), each trained once to the end, the second timed.
  ASSERT_EQ(run(train_args(db(), chain_, "r", 10, false)).first, 0);
  const std::string old_blob = stored_blob(db(), "r");
  store::ModelRecord old_record = *store::Store(db()).get_model("r");
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(run(train_args(db(), chain_, "r", 30, true)).first, 0);
  const auto full_replacing_run = std::chrono::steady_clock::now() - started;
  const std::string new_blob = stored_blob(db(), "r");
  const testing::TempDir first_source;
  const auto new_started = std::chrono::steady_clock::now();
  ASSERT_EQ(run(train_args(db(), chain(first_source, {0, 1, 2, 3, 4, 5}), "t", 30, false)).first, 0);
  const auto full_new_run = std::chrono::steady_clock::now() - new_started;
  ASSERT_FALSE(old_blob.empty());
  ASSERT_NE(old_blob, new_blob);
  store::Store(db()).save_model(old_record, true);

  // Kills spread evenly over the time a whole run of its kind takes (and a little past it): at start-up,
  // reading the store, during the fit, while the model is written. Odd runs write a new model on a source of
  // their own instead, so that a data set is being stored too.
  constexpr int kRuns = 30;
  int killed = 0, finished = 0, left_old = 0, left_new = 0;
  for (int run_index = 0; run_index < kRuns; ++run_index) {
    const bool replacing = run_index % 2 == 0;
    const std::string name = replacing ? "r" : "t" + std::to_string(run_index);
    const testing::TempDir own_source;
    const std::string source = replacing ? chain_ : chain(own_source, {0, 1, 2, 3, 4, 5});
    ChildProcess child(train_args(db(), source, name, 30, replacing), dir_.file("out.txt"), dir_.file("err.txt"));
    std::this_thread::sleep_for((replacing ? full_replacing_run : full_new_run) * 1.2 * run_index / kRuns);
    child.signal(SIGKILL);
    const auto status = child.wait_for(30s);
    ASSERT_TRUE(status.has_value());
    if (WIFSIGNALED(*status)) {
      ++killed;
    } else {
      ASSERT_EQ(*status, 0) << testing::describe_status(*status) << ": " << testing::file_text(dir_.file("err.txt"));
      ++finished;
    }
    const std::string when = "run " + std::to_string(run_index) + " (" + testing::describe_status(*status) + ")";
    expect_everything_loads(db(), when);
    const std::string blob = stored_blob(db(), name);
    if (replacing) {
      EXPECT_TRUE(blob == old_blob || blob == new_blob) << when << ": model r is neither the old nor the new one";
      if (blob == old_blob) ++left_old;
      if (blob == new_blob) ++left_new;
      store::Store(db()).save_model(old_record, true);  // the next replacing run starts from the old one again
    }  // a new model, if there, was opened and scored above
    if (HasFailure()) return;
  }
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << kRuns << " runs (whole runs " << ms(full_replacing_run) << " ms replacing, " << ms(full_new_run)
            << " ms new): " << killed << " killed, " << finished << " finished; replaced model left old " << left_old
            << ", new " << left_new << "\n";
  // The kills did land while the runs were at work. (Not most of them, always: with other tests running
  // beside it a run takes longer than the one timed, and the later kills come after its end.)
  EXPECT_GE(killed, kRuns / 4);
}

TEST_F(StoreUnderProcesses, TwoTrainingsInTwoProcessesAndPredictionsAtTheSameTime) {
  const testing::TempDir other_dir;
  const std::string chain_b = chain(other_dir, {2, 3, 4, 5});
  ASSERT_EQ(run(train_args(db(), chain_, "p", 20, false)).first, 0);
  const app::PredictReport expected = app::predict_attempts(app::open_model(store::Store(db()), "p"), test_attempts_);

  for (int round = 0; round < 3; ++round) {
    const bool replace = round > 0;
    ChildProcess first(train_args(db(), chain_, "c1", 60, replace), dir_.file("out1.txt"), dir_.file("err1.txt"));
    ChildProcess second(train_args(db(), chain_b, "c2", 60, replace), dir_.file("out2.txt"), dir_.file("err2.txt"));
    // Predictions while both write: a fresh read of the store each time, and through a model cache.
    std::atomic<int> predictions{0};
    std::atomic<bool> stop{false};
    auto predictor = [&](bool cached) {
      try {
        const store::Store store(db());
        app::ModelCache cache(db(), 4, 0ms);
        while (!stop) {
          const app::PredictReport got = cached ? app::predict_attempts(*cache.open("p"), test_attempts_)
                                                : app::predict_attempts(app::open_model(store, "p"), test_attempts_);
          ASSERT_EQ(got.rows.size(), expected.rows.size());
          for (std::size_t i = 0; i < got.rows.size(); ++i) {
            EXPECT_EQ(got.rows[i].predicted_user, expected.rows[i].predicted_user);
            EXPECT_EQ(got.rows[i].confidence, expected.rows[i].confidence);
          }
          ++predictions;
          const store::Store listing(db());  // listings too, each from a new connection
          EXPECT_GE(listing.list_models().size(), 1u);
        }
      } catch (const Error& e) {
        ADD_FAILURE() << "prediction failed: " << e.what();
      }
    };
    std::thread direct(predictor, false), cached(predictor, true);
    const auto status1 = first.wait_for(120s), status2 = second.wait_for(120s);
    stop = true;
    direct.join();
    cached.join();
    ASSERT_TRUE(status1 && status2);
    EXPECT_EQ(*status1, 0) << testing::file_text(dir_.file("err1.txt"));
    EXPECT_EQ(*status2, 0) << testing::file_text(dir_.file("err2.txt"));
    EXPECT_EQ(testing::file_text(dir_.file("err1.txt")).find("locked"), std::string::npos);
    EXPECT_EQ(testing::file_text(dir_.file("err2.txt")).find("locked"), std::string::npos);
    EXPECT_GT(predictions.load(), 0);
    std::cout << "round " << round << ": " << predictions.load() << " predictions during the two trainings\n";
  }
  const store::Store store(db());
  EXPECT_EQ(store.list_models().size(), 3u);
  EXPECT_EQ(store.list_datasets().size(), 2u);
  expect_everything_loads(db(), "after the concurrent trainings");
  // Each model is the one its own run makes: the same as trained alone.
  const std::string alone = dir_.file("alone.db");
  ASSERT_EQ(run(train_args(alone, chain_b, "c2", 60, false)).first, 0);
  EXPECT_EQ(stored_blob(db(), "c2"), stored_blob(alone, "c2"));
}

TEST_F(StoreUnderProcesses, ATextFileAsDbIsAClearErrorAndIsLeftAsItWas) {
  const std::string text = "These are my notes.\nThey are not a database.\n";
  const std::string notes = dir_.write("notes.txt", text);
  const auto [status, err] = run({KSAUTH_BINARY, "--db", notes, "models"});
  EXPECT_EQ(testing::describe_status(status), "exit 5");
  EXPECT_EQ(err, "ksauth: database " + notes + ": file is not a database\n");
  EXPECT_EQ(testing::file_text(notes), text);

  // The server refuses it at start, with the same line, rather than serving errors.
  ChildProcess serve({KSAUTH_BINARY, "serve", "--host", "127.0.0.1", "--port", "0", "--db", notes},
                     dir_.file("serve-out.txt"), dir_.file("serve-err.txt"));
  const auto served = serve.wait_for(10s);
  ASSERT_TRUE(served.has_value()) << "serve kept running on a text file as its database";
  EXPECT_EQ(testing::describe_status(*served), "exit 5");
  EXPECT_EQ(testing::file_text(dir_.file("serve-err.txt")), "ksauth: database " + notes + ": file is not a database\n");
  EXPECT_EQ(testing::file_text(notes), text);
}

TEST_F(StoreUnderProcesses, ADamagedPageOfTheModelsTableIsAClearError) {
  ASSERT_EQ(run(train_args(db(), chain_, "a1", 10, false)).first, 0);
  const int root = std::stoi(sqlite_text(db(), "SELECT rootpage FROM sqlite_master WHERE name = 'models'"));
  {
    // The page header's type byte: 0xff is no kind of b-tree page.
    std::fstream file(db(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(root - 1) * 16384);
    file.put(static_cast<char>(0xff));
  }
  const auto [status, err] = run({KSAUTH_BINARY, "--db", db(), "models"});
  EXPECT_EQ(testing::describe_status(status), "exit 5");
  EXPECT_EQ(err, "ksauth: database " + db() + ": database disk image is malformed\n");
  // The data sets live in pages of their own: still readable.
  const auto [datasets_status, datasets_err] = run({KSAUTH_BINARY, "--db", db(), "analyze", chain_, "--first-n", "1"});
  EXPECT_EQ(testing::describe_status(datasets_status), "exit 0") << datasets_err;
}

TEST_F(StoreUnderProcesses, PredictingWithACorruptedModelBlobIsExitCode5NamingTheModel) {
  ASSERT_EQ(run(train_args(db(), chain_, "a1", 10, false)).first, 0);
  std::string blob = stored_blob(db(), "a1");
  blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 1);
  {
    sqlite3* handle = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &handle), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(handle, "UPDATE models SET blob = ? WHERE name = 'a1'", -1, &s, nullptr), SQLITE_OK);
    sqlite3_bind_blob64(s, 1, blob.data(), blob.size(), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    sqlite3_close(handle);
  }
  const std::string test_file = dir_.write("test.json", testing::test_file_json(test_attempts_));
  const auto [status, err] = run({KSAUTH_BINARY, "--db", db(), "predict", test_file, "--model", "a1"});
  EXPECT_EQ(testing::describe_status(status), "exit 5");
  EXPECT_EQ(err, "ksauth: model 'a1': checksum mismatch: the model file is corrupted\n");
}

}  // namespace
}  // namespace ksauth
