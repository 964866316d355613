#include "store/store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
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
  // The same content from another source is the same data: its models are compared with a's.
  const auto c = store.save_dataset(sample_record("http://example.org/s", "1"), sample_attempts());
  store.save_model(sample_model("c1", c), false);
  const auto for_c = store.models_for_dataset(c);
  ASSERT_EQ(for_c.size(), 3u);
  EXPECT_EQ(for_c[2].name, "c1");
  EXPECT_EQ(store.models_for_dataset(a).size(), 3u);
  EXPECT_EQ(store.models_for_dataset(b).size(), 1u);
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
  EXPECT_EQ(raw.query("PRAGMA user_version"), "4");
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
  Raw(path()).exec("PRAGMA user_version = 5");
  const std::string message = expect_error(ErrorKind::corrupt, [&] { Store store(path()); });
  EXPECT_NE(message.find(path()), std::string::npos) << message;
  EXPECT_NE(message.find("version 5"), std::string::npos) << message;
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
  EXPECT_EQ(Raw(path()).query("PRAGMA user_version"), "4");
  EXPECT_TRUE(store.list_verifiers().empty());
}

// A database as version 3 left it: no checksum columns.
void drop_checksums(Raw& raw) {
  raw.exec("ALTER TABLE datasets DROP COLUMN attempts_checksum");
  raw.exec("ALTER TABLE datasets DROP COLUMN checksum");
  raw.exec("ALTER TABLE models DROP COLUMN checksum");
  raw.exec("ALTER TABLE verifiers DROP COLUMN checksum");
}

TEST_F(StoreTest, Version2DatabaseGainsVerifiersAndKeepsItsModels) {
  {
    Store store(path());
    const auto id = store.save_dataset(sample_record(), sample_attempts());
    store.save_model(sample_model("m1", id), false);
  }
  {
    Raw raw(path());
    drop_checksums(raw);
    raw.exec("DROP TABLE verifiers");
    raw.exec("PRAGMA user_version = 2");
  }
  Store store(path());
  EXPECT_EQ(Raw(path()).query("PRAGMA user_version"), "4");
  EXPECT_EQ(store.list_models().size(), 1u);
  EXPECT_TRUE(store.list_verifiers().empty());
}

TEST_F(StoreTest, Version3DatabaseGainsChecksumsAndReadsItsRowsUnchecked) {
  std::int64_t id = 0;
  {
    Store store(path());
    id = store.save_dataset(sample_record(), sample_attempts());
    store.save_model(sample_model("m1", id), false);
    store.save_verifier(sample_model("v1", id), false);
  }
  {
    Raw raw(path());
    drop_checksums(raw);
    raw.exec("PRAGMA user_version = 3");
  }
  Store store(path());
  EXPECT_EQ(Raw(path()).query("PRAGMA user_version"), "4");
  EXPECT_EQ(store.load_attempts(id), sample_attempts());
  expect_same_model(*store.get_model("m1"), sample_model("m1", id), true);
  expect_same_model(*store.get_verifier("v1"), sample_model("v1", id), true);
  EXPECT_EQ(Raw(path()).query("SELECT count(*) FROM models WHERE checksum IS NULL"), "1");
  store.save_model(sample_model("m2", id), false);  // rows written now have theirs
  EXPECT_EQ(Raw(path()).query("SELECT checksum IS NOT NULL FROM models WHERE name = 'm2'"), "1");
}

// SQLite checks its pages' structure, not the values in them: a value changed in place (as a damaged byte
// would change it) is reported by the row's checksum, naming the database and the row.
TEST_F(StoreTest, AChangedValueInAnyRowIsReportedByItsChecksum) {
  std::int64_t id = 0;
  {
    Store store(path());
    id = store.save_dataset(sample_record(), sample_attempts());
    store.save_model(sample_model("m1", id), false);
    store.save_verifier(sample_model("v1", id), false);
  }
  struct Case {
    const char* change;
    const char* undo;
    const char* message;
  };
  const std::string db = path();
  const Case cases[] = {
      {"UPDATE models SET metrics = '{\"accuracy\":0.1}'", "UPDATE models SET metrics = '{\"accuracy\":0.9}'",
       "the row of model 'm1' fails its checksum"},
      {"UPDATE models SET seed = 43", "UPDATE models SET seed = 42", "the row of model 'm1' fails its checksum"},
      {"UPDATE verifiers SET holdout = 0.3", "UPDATE verifiers SET holdout = 0.2",
       "the row of verifier 'v1' fails its checksum"},
      {"UPDATE datasets SET n_users = 4", "UPDATE datasets SET n_users = 3", "the row of data set 1 fails its checksum"},
      {"UPDATE attempts SET session = 9 WHERE idx = 4", "UPDATE attempts SET session = 8 WHERE idx = 4",
       "the attempts of data set 1 fail"},
      {"UPDATE attempts SET user = 'alicf' WHERE idx = 0", "UPDATE attempts SET user = 'alice' WHERE idx = 0",
       "the attempts of data set 1 fail"},
      {"UPDATE attempts SET idx = 7 WHERE idx = 4", "UPDATE attempts SET idx = 4 WHERE idx = 7",
       "the attempts of data set 1 fail"},
  };
  Store store(db);
  for (const Case& c : cases) {
    Raw(db).exec(c.change);
    std::string message;
    try {
      // Each read that returns the row checks it.
      if (std::string(c.change).find("models") != std::string::npos) {
        message = expect_error(ErrorKind::corrupt, [&] { store.get_model("m1"); });
        expect_error(ErrorKind::corrupt, [&] { store.list_models(); });
      } else if (std::string(c.change).find("verifiers") != std::string::npos) {
        message = expect_error(ErrorKind::corrupt, [&] { store.get_verifier("v1"); });
      } else if (std::string(c.change).find("datasets") != std::string::npos) {
        message = expect_error(ErrorKind::corrupt, [&] { store.find_dataset(id); });
        expect_error(ErrorKind::corrupt, [&] { store.list_datasets(); });
      } else {
        EXPECT_TRUE(store.find_dataset(id).has_value());  // the data set's own row is whole
        message = expect_error(ErrorKind::corrupt, [&] { store.load_attempts(id); });
      }
    } catch (const Error& e) {
      ADD_FAILURE() << c.change << ": " << e.what();
    }
    EXPECT_NE(message.find("database " + db + ": "), std::string::npos) << c.change << ": " << message;
    EXPECT_NE(message.find(c.message), std::string::npos) << c.change << ": " << message;
    Raw(db).exec(c.undo);
    EXPECT_EQ(store.load_attempts(id), sample_attempts()) << "after " << c.undo;
    expect_same_model(*store.get_model("m1"), sample_model("m1", id), true);
  }
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

// A data set written again (a refresh) keeps its id and repairs damaged rows: its record and every attempt are
// the new ones, checksums included, and the models trained on it stay attached.
TEST_F(StoreTest, RewritingADataSetRepairsItsDamagedRows) {
  Store store(path());
  const auto attempts = sample_attempts();
  const auto id = store.save_dataset(sample_record(), attempts);
  ModelRecord model;
  model.name = "m";
  model.type = "manhattan";
  model.dataset_id = id;
  model.blob = "blob";
  store.save_model(model, false);
  Raw(path()).exec("UPDATE attempts SET events = x'00' WHERE idx = 1");
  Raw(path()).exec("UPDATE datasets SET n_valid = 99");
  expect_error(ErrorKind::corrupt, [&] { store.load_attempts(id); });

  // Without rewrite the damaged rows stay; with it they are the ones given.
  EXPECT_EQ(store.save_dataset(sample_record(), attempts), id);
  expect_error(ErrorKind::corrupt, [&] { store.load_attempts(id); });
  DataSetRecord refreshed = sample_record();
  refreshed.fetched_at = "2026-12-04T12:00:00";
  EXPECT_EQ(store.save_dataset(refreshed, attempts, true), id);
  EXPECT_EQ(store.load_attempts(id), attempts);
  EXPECT_EQ(store.find_dataset(id)->n_valid, sample_record().n_valid);
  EXPECT_EQ(store.find_dataset(id)->fetched_at, "2026-12-04T12:00:00");
  EXPECT_EQ(store.list_datasets().size(), 1u);
  EXPECT_EQ(store.get_model("m")->dataset_id, id);
  EXPECT_EQ(Raw(path()).query("SELECT count(*) FROM attempts"), std::to_string(attempts.size()));
  EXPECT_EQ(Raw(path()).query("PRAGMA integrity_check"), "ok");
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


// --- Crashes: a writer process killed at any moment leaves a database that opens, checks out and holds
// every committed write whole, and the write in flight either whole or not at all.

// The bytes of generation `gen` of the record `name`: they depend on both at every position, so a blob that
// was cut, mixed with another generation's or left half written is told from a whole one.
std::string generation_blob(const std::string& name, std::int64_t gen, std::size_t size) {
  std::string blob(size, '\0');
  std::uint64_t x = 0x9e3779b97f4a7c15ull ^ static_cast<std::uint64_t>(gen);
  for (const char c : name) x = (x ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  for (char& c : blob) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>(x >> 56);
  }
  return blob;
}

// A big blob (64 overflow pages), so that a kill often lands while its pages are being written.
constexpr std::size_t kBigBlobBytes = std::size_t{1} << 20;
constexpr std::size_t kSmallBlobBytes = 4096;
constexpr std::size_t kVerifierBlobBytes = 256 * 1024;

ModelRecord generation_record(const std::string& name, std::int64_t gen, std::int64_t dataset_id,
                              std::size_t blob_bytes) {
  ModelRecord m = sample_model(name, dataset_id);
  m.seed = static_cast<std::uint64_t>(gen);  // which generation the row says it is
  m.blob = generation_blob(name, gen, blob_bytes);
  return m;
}

// Generation g of the writer, in this order, each its own transaction: data set "gen"/g, model "big"
// replaced by generation g, a new model "n<g>", verifier "v" replaced by generation g. Then g is written to
// `ack` (the parent knows every write of g committed). It goes on from the last generation whole in the
// store (the verifier's: the last write of one), writing again what a killed run left of the next, until killed.
[[noreturn]] void write_generations_until_killed(const std::string& db, int ack) {
  try {
    Store store(db);
    const std::int64_t base = store.list_datasets().front().id;
    for (auto gen = static_cast<std::int64_t>(store.get_verifier("v").value().seed) + 1;; ++gen) {
      store.save_dataset(sample_record("gen", std::to_string(gen)), sample_attempts());
      store.save_model(generation_record("big", gen, base, kBigBlobBytes), true);
      store.save_model(generation_record("n" + std::to_string(gen), gen, base, kSmallBlobBytes), true);
      store.save_verifier(generation_record("v", gen, base, kVerifierBlobBytes), true);
      if (write(ack, &gen, sizeof gen) != static_cast<ssize_t>(sizeof gen)) _exit(3);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer: %s\n", e.what());
  }
  _exit(2);  // only on an error: the parent sees the exit rather than its kill
}

// The last generation the writer acknowledged before it died (`none` when it acknowledged none).
std::int64_t last_acknowledged(int ack, std::int64_t none) {
  std::int64_t last = none, gen = 0;
  while (read(ack, &gen, sizeof gen) == static_cast<ssize_t>(sizeof gen)) last = gen;
  return last;
}

// How far the writer got, as the store says after the crash: the generation of each of its four writes.
struct Stages {
  std::int64_t dataset = 0, big = 0, newest_small = 0, verifier = 0;
};

// Reads back everything the writer wrote and checks it is whole; returns how far each kind of write got.
Stages check_everything_loads(const std::string& db) {
  Stages stages;
  Store store(db);
  for (const auto& d : store.list_datasets()) {
    EXPECT_EQ(store.load_attempts(d.id), sample_attempts()) << "data set " << d.id;
    EXPECT_EQ(d.n_attempts, sample_record().n_attempts);
    if (d.source == "gen") stages.dataset = std::max<std::int64_t>(stages.dataset, std::stoll(d.fingerprint));
  }
  std::int64_t small_count = 0;
  for (const auto& m : store.list_models()) {
    const auto full = store.get_model(m.name);
    EXPECT_TRUE(full.has_value()) << m.name;
    if (!full) continue;
    const auto gen = static_cast<std::int64_t>(full->seed);
    const bool big = m.name == "big";
    EXPECT_EQ(full->blob, generation_blob(m.name, gen, big ? kBigBlobBytes : kSmallBlobBytes)) << m.name;
    if (big) {
      stages.big = gen;
    } else {
      EXPECT_EQ(m.name, "n" + std::to_string(gen));
      stages.newest_small = std::max(stages.newest_small, gen);
      ++small_count;
    }
  }
  EXPECT_EQ(small_count, stages.newest_small) << "a committed model n<g> is missing";
  const auto verifier = store.get_verifier("v");
  EXPECT_TRUE(verifier.has_value());
  if (verifier) {
    stages.verifier = static_cast<std::int64_t>(verifier->seed);
    EXPECT_EQ(verifier->blob, generation_blob("v", stages.verifier, kVerifierBlobBytes));
  }
  return stages;
}

TEST_F(StoreTest, WriterKilledAtAnyMomentLosesNothingCommittedAndHalfWritesNothing) {
  {
    Store store(path());
    const auto base = store.save_dataset(sample_record("base", "0"), sample_attempts());
    store.save_model(generation_record("big", 0, base, kBigBlobBytes), false);
    store.save_verifier(generation_record("v", 0, base, kVerifierBlobBytes), false);
  }
  constexpr int kKills = 40;
  constexpr auto kSpread = std::chrono::milliseconds(400);  // delays from 0 to 400 ms, one every 10 ms
  int killed_mid_generation = 0;
  std::int64_t whole = 0;  // the last generation the store holds whole
  for (int kill_index = 0; kill_index < kKills; ++kill_index) {
    int ack[2];
    ASSERT_EQ(pipe2(ack, O_CLOEXEC), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(ack[0]);
      write_generations_until_killed(path(), ack[1]);
    }
    close(ack[1]);
    std::this_thread::sleep_for(kSpread * kill_index / kKills);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself (exit " << WEXITSTATUS(status) << ")";
    const std::int64_t done = last_acknowledged(ack[0], whole);
    close(ack[0]);

    EXPECT_EQ(Raw(path()).query("PRAGMA integrity_check"), "ok") << "kill " << kill_index;
    const Stages s = check_everything_loads(path());
    // Every write of an acknowledged generation is there; of the next one, a prefix of its four writes.
    for (const std::int64_t stage : {s.dataset, s.big, s.newest_small, s.verifier}) {
      EXPECT_GE(stage, done) << "kill " << kill_index << ": a committed write was lost";
      EXPECT_LE(stage, done + 1) << "kill " << kill_index;
    }
    EXPECT_GE(s.dataset, s.big);
    EXPECT_GE(s.big, s.newest_small);
    EXPECT_GE(s.newest_small, s.verifier);
    if (s.dataset != s.verifier) ++killed_mid_generation;
    whole = s.verifier;
    if (HasFailure()) return;
  }
  std::cout << kKills << " kills, " << whole << " generations written; " << killed_mid_generation
            << " kills left a generation part written\n";
  EXPECT_GT(whole, 0);
  EXPECT_GT(killed_mid_generation, 0) << "no kill landed between two writes of a generation";
}

}  // namespace
}  // namespace ksauth::store
