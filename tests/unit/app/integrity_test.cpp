// Damage to what is stored is reported, never loaded: a model or verifier blob with a flipped byte, and any
// page of the database file overwritten (an error naming what is damaged, or, where the bytes hit space
// SQLite does not use, exactly the data as it was: never a crash, never other data).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/data_set.hpp"
#include "app/enroll.hpp"
#include "app/model_cache.hpp"
#include "app/model_registry.hpp"
#include "app/predict.hpp"
#include "app/report_json.hpp"
#include "app/train.hpp"
#include "app/verifier_registry.hpp"
#include "app/verify.hpp"
#include "core/error.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"

namespace ksauth::app {
namespace {

namespace fs = std::filesystem;
using testing::synthetic_attempts;

constexpr const char* kPhrase = "hello";
constexpr std::size_t kPageBytes = 16384;  // store::Store's page size

// Flips one bit in the middle of a stored blob (`table`: models or verifiers), as a damaged disk would; by
// direct SQL, which the store never does itself.
void flip_a_bit_of_blob(const std::string& db, const std::string& table, const std::string& name) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  std::string blob;
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(handle, ("SELECT blob FROM " + table + " WHERE name = ?").c_str(), -1, &s, nullptr), SQLITE_OK);
  sqlite3_bind_text(s, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) == SQLITE_ROW)
    blob.assign(static_cast<const char*>(sqlite3_column_blob(s, 0)), static_cast<std::size_t>(sqlite3_column_bytes(s, 0)));
  sqlite3_finalize(s);
  ASSERT_FALSE(blob.empty()) << table << " " << name;
  blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 0x10);
  ASSERT_EQ(sqlite3_prepare_v2(handle, ("UPDATE " + table + " SET blob = ? WHERE name = ?").c_str(), -1, &s, nullptr), SQLITE_OK);
  sqlite3_bind_blob64(s, 1, blob.data(), blob.size(), SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, name.c_str(), -1, SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(s), SQLITE_DONE) << sqlite3_errmsg(handle);
  sqlite3_finalize(s);
  sqlite3_close(handle);
}

// A database with a data set of three typists, an AdaBoost and a Manhattan model and a verifier on it.
class StoredIntegrity : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::write_chain(dir_, {synthetic_attempts("ann", 0, kPhrase, 20, true),
                                       synthetic_attempts("bob", 1, kPhrase, 20, true),
                                       synthetic_attempts("cat", 2, kPhrase, 20, true)});
    test_json_ = testing::test_file_json(synthetic_attempts("bob", 1, kPhrase, 5, true, 9));
    store::Store store(db());
    TrainRequest adaboost{url_, "adaboost", "a1", {}, 0.25, 7, false, {}};
    adaboost.params["n_estimators"] = 20;
    train(store, adaboost);
    train(store, TrainRequest{url_, "manhattan", "m1", {}, 0.25, 7, false, {}});
    EnrollRequest verifier;
    verifier.url = url_;
    verifier.type = "scaled_manhattan";
    verifier.name = "v1";
    enroll(store, verifier);
  }
  std::string db() const { return dir_.file("ksauth.db"); }

  testing::TempDir dir_;
  std::string url_, test_json_;
};

TEST_F(StoredIntegrity, AModelBlobWithAFlippedBitIsRefusedNamingTheModel) {
  flip_a_bit_of_blob(db(), "models", "a1");
  const store::Store store(db());
  std::string message;
  EXPECT_EQ(testing::error_kind([&] { open_model(store, "a1"); }, &message), ErrorKind::corrupt);
  EXPECT_EQ(message, "model 'a1': checksum mismatch: the model file is corrupted");
  EXPECT_EQ(testing::error_kind([&] { predict_test_json(store, test_json_, "a1"); }, &message), ErrorKind::corrupt);
  EXPECT_EQ(message, "model 'a1': checksum mismatch: the model file is corrupted");
  ModelCache cache(db());  // what the server predicts through
  EXPECT_EQ(testing::error_kind([&] { cache.open("a1"); }, &message), ErrorKind::corrupt);
  EXPECT_EQ(message, "model 'a1': checksum mismatch: the model file is corrupted");
  // The damage stays with that model.
  EXPECT_EQ(predict_test_json(store, test_json_, "m1").n_ok, 5u);
  EXPECT_EQ(list_models(store).size(), 2u);
}

TEST_F(StoredIntegrity, AVerifierBlobWithAFlippedBitIsRefusedNamingTheVerifier) {
  flip_a_bit_of_blob(db(), "verifiers", "v1");
  const store::Store store(db());
  std::string message;
  EXPECT_EQ(testing::error_kind([&] { verify_test_json(store, test_json_, "v1", "bob"); }, &message),
            ErrorKind::corrupt);
  EXPECT_NE(message.find("verifier 'v1'"), std::string::npos) << message;
  EXPECT_NE(message.find("checksum mismatch"), std::string::npos) << message;
}

// Everything the store holds, read through the use cases: data set records and their attempts (validated),
// the models' and verifiers' records and what they answer for the same test attempts.
std::string read_everything(const std::string& db, const std::string& test_json) {
  const store::Store store(db);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : store.list_datasets()) {
    const LoadedData data = load_stored_data(store, d.id, {});
    nlohmann::json attempts = nlohmann::json::array();
    for (const Attempt& a : data.attempts) {
      nlohmann::json events = nlohmann::json::array();
      for (const KeyEvent& e : a.events) events.push_back({e.key, e.pressed_at, e.released_at.value_or(-1)});
      attempts.push_back({a.user, a.session, a.repetition, events});
    }
    out.push_back({to_json(d), attempts, data.validation.n_valid()});
  }
  for (const auto& m : list_models(store))
    out.push_back({to_json(m), to_json(predict_test_json(store, test_json, m.record.name), 1000)});
  for (const auto& v : list_verifiers(store))
    out.push_back({to_json(v), to_json(verify_test_json(store, test_json, v.record.name, "bob"), 1000)});
  return out.dump();
}

// Damage as a disk or a copy does it: a run of bytes overwritten with a pattern no SQLite structure or model
// file has, or one bit flipped (which leaves every structure valid and changes one value).
struct Damage {
  std::size_t step;   // one place every `step` bytes of the file
  std::size_t bytes;  // a run of this many bytes overwritten; 0: one bit flipped
};

void damage(const std::string& path, std::size_t offset, const Damage& how) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  const int old = file.get();
  file.seekp(static_cast<std::streamoff>(offset));
  if (how.bytes == 0) file.put(static_cast<char>(old ^ 0x04));
  for (std::size_t i = 0; i < how.bytes; ++i) file.put(static_cast<char>(0xa5 ^ (i * 37)));
}

struct SweepCounts {
  int reported = 0;  // an Error naming the database, model or verifier
  int harmless = 0;  // everything read back exactly as before
};

// For places all over the (closed) database file: a copy damaged there, then everything read back. Each must
// be reported as damaged or read back exactly as it was.
SweepCounts sweep(const std::string& db, const std::string& copy, const std::string& test_json, const Damage& how) {
  const std::string before = read_everything(db, test_json);
  const std::size_t pages = fs::file_size(db) / kPageBytes;
  EXPECT_GE(pages, 10u);
  SweepCounts counts;
  for (std::size_t page = 0; page < pages; ++page)
    for (std::size_t offset = 0; offset < kPageBytes; offset += how.step) {
      const std::string where = "page " + std::to_string(page + 1) + " at " + std::to_string(offset);
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(copy + suffix);
      fs::copy_file(db, copy);
      // At a page's start, its header; on page 1, the one after the 100-byte file header.
      damage(copy, page * kPageBytes + (page == 0 && offset == 0 ? 100 : offset), how);
      try {
        const std::string after = read_everything(copy, test_json);
        EXPECT_EQ(after, before) << where << ": other data read from a damaged page";
        ++counts.harmless;
      } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_TRUE(e.kind() == ErrorKind::corrupt || e.kind() == ErrorKind::io) << where << ": " << message;
        EXPECT_TRUE(message.find(copy) != std::string::npos || message.find("model '") != std::string::npos ||
                    message.find("verifier '") != std::string::npos)
            << where << ": the message names neither the database nor the model: " << message;
        ++counts.reported;
      } catch (const std::exception& e) {
        ADD_FAILURE() << where << ": not a ksauth::Error: " << e.what();
      }
    }
  std::cout << pages << " pages, " << counts.reported + counts.harmless << " places: " << counts.reported
            << " reported, " << counts.harmless << " harmless\n";
  return counts;
}

TEST_F(StoredIntegrity, A64ByteRunOverwrittenAnywhereIsReportedOrHarmless) {
  EXPECT_GT(sweep(db(), dir_.file("damaged.db"), test_json_, {1024, 64}).reported, 0);
}

TEST_F(StoredIntegrity, ABitFlippedAnywhereIsReportedOrHarmless) {
  EXPECT_GT(sweep(db(), dir_.file("damaged.db"), test_json_, {97, 0}).reported, 0);
}

}  // namespace
}  // namespace ksauth::app
