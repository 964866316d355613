#include "store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"

namespace ksauth::store {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "ksauth-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name = "ksauth.db") const { return (dir_ / name).string(); }

  fs::path dir_;
};

// Raw access for checks the Store interface does not offer (row counts, pragmas, triggers).
class Raw {
 public:
  explicit Raw(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << "cannot open " << path;
  }
  ~Raw() { sqlite3_close(db_); }
  std::string query(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_);
      return out;
    }
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << (err ? err : "?");
      sqlite3_free(err);
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

KeyEvent ev(std::string key, Micros press, std::optional<Micros> release = std::nullopt) {
  return KeyEvent{std::move(key), press, release};
}

std::vector<Attempt> sample_attempts() {
  return {
      Attempt{"alice",
              {ev("B", 1547651181140078, 1547651181230000), ev("[shift]", 1547651181300000),
               ev("e", 1547651181400000, 1547651181480001)}},
      Attempt{"",
              {ev("x", 0), ev("[backspace]", -5, 7),
               ev("y", std::numeric_limits<Micros>::max(), std::numeric_limits<Micros>::min())}},
      Attempt{"bob \"the\" \\ builder",
              {ev("\"", 1, 2), ev("\\", 3), ev("\n", 4, 5), ev(std::string(1, '\x01'), 6),
               ev("\xc3\xa9", 7, 8), ev(" ", 9, 10)}},
      Attempt{"carol", {}},
      Attempt{"s002", {ev(".", 10, 20), ev("[return]", 30, 40)}, 8, 50},  // session 8, repetition 50
  };
}

DataSetRecord sample_record(std::string source = "https://example.org/page1.json",
                            std::string fingerprint = "abc") {
  DataSetRecord r;
  r.source = std::move(source);
  r.fingerprint = std::move(fingerprint);
  r.phrase = "Be Authentic. Be Yourself. Be Typing.";
  r.n_users = 3;
  r.n_attempts = 4;
  r.n_valid = 2;
  r.fetched_at = "2024-05-01T12:00:00.000000";
  r.n_pages = 2;
  r.failure_page = "https://example.org/page3.json";
  r.failure_reason = "HTTP 404 Not Found";
  return r;
}

ModelRecord sample_model(std::string name, std::int64_t dataset_id) {
  ModelRecord m;
  m.name = std::move(name);
  m.type = "adaboost";
  m.params_json = R"({"n_estimators":200})";
  m.dataset_id = dataset_id;
  m.holdout = 0.2;
  m.seed = 42;
  m.metrics_json = R"({"accuracy":0.9})";
  m.created_at = "2024-05-01T12:00:00.000000";
  m.blob = std::string("KSMODEL\0\x01\x02\xff", 11);
  return m;
}

void expect_same_dataset(const DataSetRecord& a, const DataSetRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.phrase, b.phrase);
  EXPECT_EQ(a.n_users, b.n_users);
  EXPECT_EQ(a.n_attempts, b.n_attempts);
  EXPECT_EQ(a.n_valid, b.n_valid);
  EXPECT_EQ(a.fetched_at, b.fetched_at);
  EXPECT_EQ(a.n_pages, b.n_pages);
  EXPECT_EQ(a.failure_page, b.failure_page);
  EXPECT_EQ(a.failure_reason, b.failure_reason);
}

void expect_same_model(const ModelRecord& a, const ModelRecord& b, bool with_blob) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.params_json, b.params_json);
  EXPECT_EQ(a.dataset_id, b.dataset_id);
  EXPECT_EQ(a.holdout, b.holdout);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.metrics_json, b.metrics_json);
  EXPECT_EQ(a.created_at, b.created_at);
  if (with_blob) {
    EXPECT_EQ(a.blob, b.blob);
  }
}

template <class F>
std::string expect_error(ErrorKind kind, F&& f) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  return {};
}

TEST_F(StoreTest, DatasetRoundTrip) {
  Store store(path());
  const auto attempts = sample_attempts();
  DataSetRecord record = sample_record();
  const std::int64_t id = store.save_dataset(record, attempts);
  EXPECT_GT(id, 0);
  record.id = id;

  const auto found = store.find_dataset(id);
  ASSERT_TRUE(found);
  expect_same_dataset(*found, record);
  EXPECT_EQ(store.load_attempts(id), attempts);
  EXPECT_FALSE(store.find_dataset(id + 1));

  // The events column is the binary encoding: 8-byte count, then per event 25 bytes + the key.
  Raw raw(path());
  EXPECT_EQ(raw.query("SELECT length(events) FROM attempts WHERE idx = 0"),
            std::to_string(8 + (25 + 1) + (25 + 7) + (25 + 1)));  // keys "B", "[shift]", "e"
  EXPECT_EQ(raw.query("SELECT user FROM attempts WHERE idx = 1"), "");
  EXPECT_EQ(raw.query("SELECT count(*) FROM attempts"), "5");
  EXPECT_EQ(raw.query("SELECT session || '/' || repetition FROM attempts WHERE idx = 4"), "8/50");
  EXPECT_EQ(raw.query("SELECT session || '/' || repetition FROM attempts WHERE idx = 0"), "0/0");
}

TEST_F(StoreTest, InMemoryDatabaseWorks) {
  Store store(":memory:");
  const auto attempts = sample_attempts();
  const auto id = store.save_dataset(sample_record(), attempts);
  EXPECT_EQ(store.load_attempts(id), attempts);
  store.save_model(sample_model("m", id), false);
  EXPECT_TRUE(store.get_model("m"));
}

TEST_F(StoreTest, SameSourceAndFingerprintIsOneDataset) {
  Store store(path());
  const auto attempts = sample_attempts();
  const auto first = store.save_dataset(sample_record(), attempts);
  // Same key, other content: the stored data set is returned untouched.
  DataSetRecord again = sample_record();
  again.phrase = "other";
  const auto second = store.save_dataset(again, std::vector<Attempt>{Attempt{"zed", {ev("z", 1)}}});
  EXPECT_EQ(first, second);
  EXPECT_EQ(store.list_datasets().size(), 1u);
  EXPECT_EQ(store.find_dataset(first)->phrase, sample_record().phrase);
  EXPECT_EQ(store.load_attempts(first), attempts);
  Raw raw(path());
  EXPECT_EQ(raw.query("SELECT count(*) FROM attempts"), "5");
}

TEST_F(StoreTest, NewFingerprintIsANewDatasetAndLatestWins) {
  Store store(path());
  const auto a = store.save_dataset(sample_record("src", "f1"), sample_attempts());
  const auto other = store.save_dataset(sample_record("elsewhere", "f1"), sample_attempts());
  const auto b =
      store.save_dataset(sample_record("src", "f2"), std::vector<Attempt>{Attempt{"u", {ev("q", 5)}}});
  EXPECT_NE(a, b);
  EXPECT_NE(a, other);
  EXPECT_GT(b, a);
  const auto all = store.list_datasets();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, a);  // by id
  EXPECT_EQ(all[1].id, other);
  EXPECT_EQ(all[2].id, b);

  const auto latest = store.latest_dataset_for_source("src");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, b);
  EXPECT_EQ(latest->fingerprint, "f2");
  EXPECT_EQ(store.latest_dataset_for_source("elsewhere")->id, other);
  EXPECT_FALSE(store.latest_dataset_for_source("nowhere"));
  EXPECT_EQ(store.load_attempts(b), (std::vector<Attempt>{Attempt{"u", {ev("q", 5)}}}));
}

TEST_F(StoreTest, EmptyDatasetAndUnknownDataset) {
  Store store(path());
  const auto id = store.save_dataset(sample_record(), std::vector<Attempt>{});
  EXPECT_TRUE(store.load_attempts(id).empty());
  expect_error(ErrorKind::not_found, [&] { store.load_attempts(id + 10); });
}

TEST_F(StoreTest, ManyAttemptsRoundTrip) {
  // The size of the real data (15,300 attempts), in one transaction.
  std::vector<Attempt> attempts;
  for (int i = 0; i < 15300; ++i) {
    Attempt a{"user" + std::to_string(i % 51), {}};
    for (int k = 0; k < 40; ++k)
      a.events.push_back(ev(std::string(1, static_cast<char>('a' + k % 26)), i * 1000000LL + k * 1000,
                            k % 7 ? std::optional<Micros>(i * 1000000LL + k * 1000 + 80) : std::nullopt));
    attempts.push_back(std::move(a));
  }
  Store store(path());
  const auto id = store.save_dataset(sample_record(), attempts);
  EXPECT_EQ(store.load_attempts(id), attempts);
}

TEST_F(StoreTest, ModelSaveGetListDelete) {
  Store store(path());
  const auto ds = store.save_dataset(sample_record(), sample_attempts());
  ModelRecord m1 = sample_model("first", ds);
  m1.seed = std::numeric_limits<std::uint64_t>::max();  // needs all 64 bits
  ModelRecord m2 = sample_model("second", ds);
  m2.seed = 1ULL << 63;
  m2.type = "lstm";
  m2.created_at = "2024-05-02T00:00:00.000000";
  store.save_model(m1, false);
  store.save_model(m2, false);

  const auto got = store.get_model("first");
  ASSERT_TRUE(got);
  expect_same_model(*got, m1, true);
  expect_same_model(*store.get_model("second"), m2, true);
  EXPECT_FALSE(store.get_model("third"));

  const auto list = store.list_models();
  ASSERT_EQ(list.size(), 2u);
  expect_same_model(list[0], m1, false);  // oldest first
  expect_same_model(list[1], m2, false);
  for (const auto& m : list) EXPECT_TRUE(m.blob.empty());  // listings carry no blobs

  EXPECT_TRUE(store.delete_model("first"));
  EXPECT_FALSE(store.delete_model("first"));
  EXPECT_FALSE(store.get_model("first"));
  ASSERT_EQ(store.list_models().size(), 1u);
  EXPECT_EQ(store.list_models()[0].name, "second");
}

TEST_F(StoreTest, NameExistsConflictsUnlessReplace) {
  Store store(path());
  const auto ds = store.save_dataset(sample_record(), sample_attempts());
  store.save_model(sample_model("m", ds), false);
  ModelRecord newer = sample_model("m", ds);
  newer.type = "knn";
  newer.blob = "new bytes";
  newer.metrics_json = R"({"accuracy":0.95})";

  const std::string message = expect_error(ErrorKind::conflict, [&] { store.save_model(newer, false); });
  EXPECT_EQ(message, "model 'm' already exists");
  expect_same_model(*store.get_model("m"), sample_model("m", ds), true);  // untouched

  store.save_model(newer, true);
  expect_same_model(*store.get_model("m"), newer, true);
  EXPECT_EQ(store.list_models().size(), 1u);

  // Replace also creates when the name is new.
  store.save_model(sample_model("fresh", ds), true);
  EXPECT_EQ(store.list_models().size(), 2u);
}

TEST_F(StoreTest, ModelNeedsAnExistingDataset) {
  Store store(path());
  const auto ds = store.save_dataset(sample_record(), sample_attempts());
  expect_error(ErrorKind::not_found, [&] { store.save_model(sample_model("m", ds + 1), false); });
  expect_error(ErrorKind::not_found, [&] { store.save_model(sample_model("m", ds + 1), true); });
  EXPECT_TRUE(store.list_models().empty());
  expect_error(ErrorKind::invalid_input, [&] { store.save_model(sample_model("", ds), false); });
}

TEST_F(StoreTest, ModelsForDatasetFilters) {
  Store store(path());
  const auto a = store.save_dataset(sample_record("s", "1"), sample_attempts());
  const auto b = store.save_dataset(sample_record("s", "2"), sample_attempts());
  store.save_model(sample_model("a1", a), false);
  store.save_model(sample_model("b1", b), false);
  store.save_model(sample_model("a2", a), false);
  const auto for_a = store.models_for_dataset(a);
  ASSERT_EQ(for_a.size(), 2u);
  EXPECT_EQ(for_a[0].name, "a1");
  EXPECT_EQ(for_a[1].name, "a2");
  EXPECT_TRUE(for_a[0].blob.empty());
  const auto for_b = store.models_for_dataset(b);
  ASSERT_EQ(for_b.size(), 1u);
  EXPECT_EQ(for_b[0].name, "b1");
  EXPECT_TRUE(store.models_for_dataset(b + 100).empty());
}

TEST_F(StoreTest, BlobBytesSurvive) {
  Store store(path());
  const auto ds = store.save_dataset(sample_record(), sample_attempts());
  std::string bytes;
  for (int round = 0; round < 4; ++round)
    for (int c = 0; c < 256; ++c) bytes.push_back(static_cast<char>(c));  // NULs included
  ModelRecord m = sample_model("bytes", ds);
  m.blob = bytes;
  store.save_model(m, false);
  EXPECT_EQ(store.get_model("bytes")->blob, bytes);
  ModelRecord empty = sample_model("empty", ds);
  empty.blob.clear();
  store.save_model(empty, false);  // BLOB NOT NULL: an empty blob is stored as empty, not NULL
  EXPECT_EQ(store.get_model("empty")->blob, "");
}

TEST_F(StoreTest, UserValuesAreBoundNotSpliced) {
  Store store(path());
  const std::string evil = "x'); DROP TABLE models; --";
  const auto ds = store.save_dataset(sample_record(evil, evil), sample_attempts());
  store.save_model(sample_model(evil, ds), false);
  EXPECT_EQ(store.get_model(evil)->name, evil);
  EXPECT_EQ(store.latest_dataset_for_source(evil)->fingerprint, evil);
  EXPECT_EQ(store.list_models().size(), 1u);
}

TEST_F(StoreTest, SchemaAndSettings) {
  { Store store(path()); }
  Raw raw(path());
  EXPECT_EQ(raw.query("PRAGMA user_version"), "3");
  EXPECT_EQ(raw.query("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                      "name IN ('datasets', 'attempts', 'models', 'verifiers')"),
            "4");
}

TEST_F(StoreTest, GarbageFileIsCorrupt) {
  for (const std::size_t size : {std::size_t{37}, std::size_t{8192}}) {
    const std::string file = path("garbage" + std::to_string(size) + ".db");
    {
      std::ofstream out(file, std::ios::binary);
      for (std::size_t i = 0; i < size; ++i) out.put(static_cast<char>((i * 131 + 7) % 251));
    }
    const std::string message = expect_error(ErrorKind::corrupt, [&] { Store store(file); });
    EXPECT_NE(message.find(file), std::string::npos) << message;
  }
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  { Store store(path()); }
  Raw(path()).exec("PRAGMA user_version = 4");
  const std::string message = expect_error(ErrorKind::corrupt, [&] { Store store(path()); });
  EXPECT_NE(message.find(path()), std::string::npos) << message;
  EXPECT_NE(message.find("version 4"), std::string::npos) << message;
}

TEST_F(StoreTest, Version1DatabaseGainsSessionAndRepetition) {
  {
    Raw raw(path());
    raw.exec(R"sql(
CREATE TABLE datasets (id INTEGER PRIMARY KEY, source TEXT NOT NULL, fingerprint TEXT NOT NULL, phrase TEXT,
  n_users INTEGER NOT NULL DEFAULT 0, n_attempts INTEGER NOT NULL DEFAULT 0, n_valid INTEGER NOT NULL DEFAULT 0,
  fetched_at TEXT, n_pages INTEGER NOT NULL DEFAULT 0, failure_page TEXT NOT NULL DEFAULT '',
  failure_reason TEXT NOT NULL DEFAULT '', UNIQUE (source, fingerprint));
CREATE TABLE attempts (dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, user TEXT NOT NULL, events BLOB NOT NULL, PRIMARY KEY (dataset_id, idx));
CREATE TABLE models (name TEXT PRIMARY KEY, type TEXT NOT NULL, params TEXT,
  dataset_id INTEGER NOT NULL REFERENCES datasets (id), holdout REAL, seed INTEGER, metrics TEXT,
  created_at TEXT, blob BLOB NOT NULL);
INSERT INTO datasets (id, source, fingerprint) VALUES (1, 'old', 'f');
INSERT INTO attempts VALUES (1, 0, 'alice', zeroblob(8));
PRAGMA user_version = 1;
)sql");
  }
  Store store(path());
  EXPECT_EQ(store.load_attempts(1), (std::vector<Attempt>{Attempt{"alice", {}, 0, 0}}));
  const auto id = store.save_dataset(sample_record(), sample_attempts());
  EXPECT_EQ(store.load_attempts(id), sample_attempts());
  EXPECT_EQ(Raw(path()).query("PRAGMA user_version"), "3");
  EXPECT_TRUE(store.list_verifiers().empty());
}

TEST_F(StoreTest, Version2DatabaseGainsVerifiersAndKeepsItsModels) {
  {
    Store store(path());
    const auto id = store.save_dataset(sample_record(), sample_attempts());
    store.save_model(sample_model("m1", id), false);
  }
  {
    Raw raw(path());
    raw.exec("DROP TABLE verifiers");
    raw.exec("PRAGMA user_version = 2");
  }
  Store store(path());
  EXPECT_EQ(Raw(path()).query("PRAGMA user_version"), "3");
  EXPECT_EQ(store.list_models().size(), 1u);
  EXPECT_TRUE(store.list_verifiers().empty());
}

TEST_F(StoreTest, VerifiersLiveBesideModelsUnderTheirOwnNames) {
  Store store(path());
  const auto id = store.save_dataset(sample_record(), sample_attempts());
  store.save_model(sample_model("same", id), false);
  ModelRecord verifier = sample_model("same", id);
  verifier.type = "scaled_manhattan";
  verifier.blob = std::string("KSAUTHVERIF\0v", 13);
  store.save_verifier(verifier, false);  // a model of the same name is no conflict
  expect_error(ErrorKind::conflict, [&] { store.save_verifier(verifier, false); });
  verifier.seed = 99;
  store.save_verifier(verifier, true);
  const auto got = store.get_verifier("same");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->type, "scaled_manhattan");
  EXPECT_EQ(got->seed, 99u);
  EXPECT_EQ(got->blob, verifier.blob);
  EXPECT_EQ(store.get_model("same")->type, sample_model("same", id).type);
  ASSERT_EQ(store.list_verifiers().size(), 1u);
  EXPECT_TRUE(store.list_verifiers()[0].blob.empty());
  ModelRecord orphan = verifier;
  orphan.name = "orphan";
  orphan.dataset_id = id + 100;
  expect_error(ErrorKind::not_found, [&] { store.save_verifier(orphan, false); });
  EXPECT_TRUE(store.delete_verifier("same"));
  EXPECT_FALSE(store.delete_verifier("same"));
  EXPECT_FALSE(store.get_verifier("same").has_value());
  EXPECT_TRUE(store.get_model("same").has_value());
}

TEST_F(StoreTest, DamagedSessionIsCorrupt) {
  Store store(path());
  const auto id = store.save_dataset(sample_record(), sample_attempts());
  Raw(path()).exec("UPDATE attempts SET session = -1 WHERE idx = 4");
  const std::string message = expect_error(ErrorKind::corrupt, [&] { store.load_attempts(id); });
  EXPECT_NE(message.find("attempt 4"), std::string::npos) << message;
}

TEST_F(StoreTest, OtherSqliteDatabaseIsRefused) {
  Raw(path("other.db")).exec("CREATE TABLE people (name TEXT)");
  expect_error(ErrorKind::corrupt, [&] { Store store(path("other.db")); });
  // Left as it was: no tables of ours added.
  EXPECT_EQ(Raw(path("other.db")).query("SELECT count(*) FROM sqlite_master"), "1");
}

TEST_F(StoreTest, UnopenablePathIsIo) {
  const std::string file = path("no/such/dir/ksauth.db");
  const std::string message = expect_error(ErrorKind::io, [&] { Store store(file); });
  EXPECT_NE(message.find(file), std::string::npos) << message;
  expect_error(ErrorKind::io, [&] { Store store(dir_.string()); });  // a directory
  expect_error(ErrorKind::io, [&] { Store store(""); });
}

TEST_F(StoreTest, TwoConnectionsWriteConcurrently) {
  // One Store per thread (a Store is one connection): the busy timeout makes the writers take turns.
  { Store init(path()); }
  auto writer = [&](const std::string& source) {
    Store store(path());
    for (int i = 0; i < 20; ++i) {
      const auto id = store.save_dataset(sample_record(source, std::to_string(i)), sample_attempts());
      store.save_model(sample_model(source + std::to_string(i), id), false);
    }
  };
  std::thread a(writer, "a"), b(writer, "b");
  a.join();
  b.join();
  Store store(path());
  EXPECT_EQ(store.list_datasets().size(), 40u);
  EXPECT_EQ(store.list_models().size(), 40u);
  EXPECT_EQ(Raw(path()).query("SELECT count(*) FROM attempts"), "200");
}

TEST_F(StoreTest, ConcurrentFirstOpenOfANewFile) {
  // Several connections creating the same new file at once: one sets the schema up (and switches the file
  // to WAL, which needs it to itself); the others wait for it rather than fail.
  for (int round = 0; round < 20; ++round) {
    const std::string file = path("new" + std::to_string(round) + ".db");
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t)
      threads.emplace_back([&, t] {
        try {
          Store store(file);
          store.save_dataset(sample_record("s", std::to_string(t)), sample_attempts());
        } catch (const Error& e) {
          ADD_FAILURE() << e.what();
        }
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(Store(file).list_datasets().size(), 3u);
    EXPECT_EQ(Raw(file).query("PRAGMA journal_mode"), "wal");
  }
}

TEST_F(StoreTest, FailureMidwayLeavesNoRows) {
  {
    Store store(path());
    store.save_dataset(sample_record("kept", "1"), sample_attempts());
  }
  // Force the 3rd attempt insert to fail, after the data set row and two attempts went in.
  Raw(path()).exec(
      "CREATE TRIGGER fail_third BEFORE INSERT ON attempts WHEN NEW.idx = 2 "
      "BEGIN SELECT RAISE(ABORT, 'forced failure'); END");
  Store store(path());
  const std::string message =
      expect_error(ErrorKind::io, [&] { store.save_dataset(sample_record("lost", "2"), sample_attempts()); });
  EXPECT_NE(message.find("forced failure"), std::string::npos) << message;
  EXPECT_NE(message.find(path()), std::string::npos) << message;
  EXPECT_EQ(store.list_datasets().size(), 1u);
  EXPECT_FALSE(store.latest_dataset_for_source("lost"));
  Raw raw(path());
  EXPECT_EQ(raw.query("SELECT count(*) FROM attempts"), "5");  // only the first data set's
  EXPECT_EQ(raw.query("SELECT count(*) FROM datasets"), "1");
  // The store is still usable after the rollback.
  raw.exec("DROP TRIGGER fail_third");
  EXPECT_GT(store.save_dataset(sample_record("lost", "2"), sample_attempts()), 0);
}

TEST_F(StoreTest, AnyKeyBytesRoundTrip) {
  Store store(path());
  auto attempts = sample_attempts();
  attempts.push_back(Attempt{"dave", {ev("\xff\xfe", 1), ev(std::string("a\0b", 3), 2)}});
  const auto id = store.save_dataset(sample_record(), attempts);
  EXPECT_EQ(store.load_attempts(id), attempts);
}

TEST_F(StoreTest, ReopeningKeepsTheData) {
  const auto attempts = sample_attempts();
  std::int64_t id = 0;
  {
    Store store(path());
    id = store.save_dataset(sample_record(), attempts);
    store.save_model(sample_model("m", id), false);
  }
  Store store(path());
  ASSERT_EQ(store.list_datasets().size(), 1u);
  EXPECT_EQ(store.load_attempts(id), attempts);
  expect_same_model(*store.get_model("m"), sample_model("m", id), true);
  // Saving the same data set again finds it.
  EXPECT_EQ(store.save_dataset(sample_record(), attempts), id);
}

TEST_F(StoreTest, CorruptEventsAreReported) {
  Store store(path());
  const auto id = store.save_dataset(sample_record(), sample_attempts());
  Raw(path()).exec("UPDATE attempts SET events = x'0100000000000000ff' WHERE idx = 1");  // 1 event, 1 byte
  const std::string message = expect_error(ErrorKind::corrupt, [&] { store.load_attempts(id); });
  EXPECT_NE(message.find("attempt 1"), std::string::npos) << message;
}

TEST_F(StoreTest, DeletingADatasetCascadesToAttempts) {
  {
    Store store(path());
    store.save_dataset(sample_record(), sample_attempts());
  }
  Raw raw(path());
  raw.exec("PRAGMA foreign_keys = ON");
  raw.exec("DELETE FROM datasets");
  EXPECT_EQ(raw.query("SELECT count(*) FROM attempts"), "0");
}

}  // namespace
}  // namespace ksauth::store
