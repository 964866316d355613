#include "store/store.hpp"

#include <sqlite3.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "core/error.hpp"
#include "store/events_blob.hpp"

namespace ksauth::store {

namespace {

// 2: attempts.session and attempts.repetition; 3: verifiers; 4: checksums of the rows (see RowChecksum)
constexpr int kSchemaVersion = 4;
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS datasets (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  phrase TEXT,
  n_users INTEGER NOT NULL DEFAULT 0,
  n_attempts INTEGER NOT NULL DEFAULT 0,
  n_valid INTEGER NOT NULL DEFAULT 0,
  fetched_at TEXT,
  n_pages INTEGER NOT NULL DEFAULT 0,
  failure_page TEXT NOT NULL DEFAULT '',
  failure_reason TEXT NOT NULL DEFAULT '',
  attempts_checksum TEXT,
  checksum TEXT,
  UNIQUE (source, fingerprint)
);
CREATE TABLE IF NOT EXISTS attempts (
  dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  user TEXT NOT NULL,
  events BLOB NOT NULL,
  session INTEGER NOT NULL DEFAULT 0,
  repetition INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dataset_id, idx)
);
CREATE TABLE IF NOT EXISTS models (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  params TEXT,
  dataset_id INTEGER NOT NULL REFERENCES datasets (id),
  holdout REAL,
  seed INTEGER,
  metrics TEXT,
  created_at TEXT,
  blob BLOB NOT NULL,
  checksum TEXT
);
CREATE INDEX IF NOT EXISTS models_by_dataset ON models (dataset_id);
CREATE TABLE IF NOT EXISTS verifiers (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  params TEXT,
  dataset_id INTEGER NOT NULL REFERENCES datasets (id),
  holdout REAL,
  seed INTEGER,
  metrics TEXT,
  created_at TEXT,
  blob BLOB NOT NULL,
  checksum TEXT
);
)sql";

// From version 1 (no session or repetition: 0, unknown, for the attempts stored then).
constexpr const char* kMigrateFrom1 = R"sql(
ALTER TABLE attempts ADD COLUMN session INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN repetition INTEGER NOT NULL DEFAULT 0;
)sql";

// From version 3 or earlier (rows stored then have no checksums: NULL, read unchecked). The verifiers table
// of a version 1 or 2 database is made afterwards, by kSchema, with its column.
constexpr const char* kMigrateTo4 = R"sql(
ALTER TABLE datasets ADD COLUMN attempts_checksum TEXT;
ALTER TABLE datasets ADD COLUMN checksum TEXT;
ALTER TABLE models ADD COLUMN checksum TEXT;
)sql";
constexpr const char* kMigrateVerifiersTo4 = "ALTER TABLE verifiers ADD COLUMN checksum TEXT;";

// SQLite checks the structure of its pages, not the values in them: a damaged byte inside a value would be
// read as another value. So each row of ours carries a checksum of its values (FNV-1a, 64 bits; models' and
// verifiers' files are also sealed with their own CRC), and a data set one of its attempts' rows, checked
// on every read: damage is reported as Error(corrupt), never read as other data.
class RowChecksum {
 public:
  RowChecksum& add(std::string_view bytes) {
    add(static_cast<std::int64_t>(bytes.size()));  // so that "ab","c" differs from "a","bc"
    mix(bytes.data(), bytes.size());
    return *this;
  }
  RowChecksum& add(std::int64_t value) {
    mix(&value, sizeof value);
    return *this;
  }
  RowChecksum& add(double value) { return add(std::bit_cast<std::int64_t>(value)); }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  void mix(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 1099511628211ull;
  }
  std::uint64_t h_ = 1469598103934665603ull;
};

// Everything an error message needs: the connection (for sqlite's message) and the path (for the user).
struct Db {
  sqlite3* handle;
  const std::string& path;

  [[noreturn]] void fail(int rc) const {
    const std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    const int primary = rc & 0xff;
    const ErrorKind kind =
        (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) ? ErrorKind::corrupt : ErrorKind::io;
    throw Error(kind, "database " + path + ": " + message);
  }

  void exec(const char* sql) const {
    const int rc = sqlite3_exec(handle, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc);
  }
};

// A prepared statement, finalized on scope exit. Values are only ever bound, never spliced into SQL.
class Statement {
 public:
  Statement(const Db& db, std::string_view sql) : db_(db) {
    const int rc = sqlite3_prepare_v2(db_.handle, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) db_.fail(rc);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t value) { return check(sqlite3_bind_int64(stmt_, i, value)); }
  Statement& bind(int i, double value) { return check(sqlite3_bind_double(stmt_, i, value)); }
  Statement& bind(int i, std::string_view text) {
    const char* data = text.data() ? text.data() : "";  // a null pointer would bind NULL
    return check(sqlite3_bind_text64(stmt_, i, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  Statement& bind_blob(int i, std::string_view bytes) {
    if (bytes.empty()) return check(sqlite3_bind_zeroblob(stmt_, i, 0));  // a null pointer would bind NULL
    return check(sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  }

  // True when a row is ready, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail(rc);
  }
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(stmt_);  // reports the last step's error again, already thrown
    sqlite3_clear_bindings(stmt_);
  }

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const { return std::string(text_view(col)); }
  // Valid until the next step or reset.
  std::string_view text_view(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
  }
  std::string blob(int col) const { return std::string(blob_view(col)); }
  // Valid until the next step or reset.
  std::string_view blob_view(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
  }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) db_.fail(rc);
    return *this;
  }

  const Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A write transaction (BEGIN IMMEDIATE: take the write lock up front, so a busy database waits at the start
// rather than failing half way) or a read one (BEGIN: one snapshot). Rolls back on scope exit unless commit()
// succeeded.
class Transaction {
 public:
  enum Mode { read, write };
  Transaction(const Db& db, Mode mode) : db_(db) { db_.exec(mode == write ? "BEGIN IMMEDIATE" : "BEGIN"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_.handle, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  const Db& db_;
  bool done_ = false;
};

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

int user_version(const Db& db) {
  Statement s(db, "PRAGMA user_version");
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

std::int64_t count_tables(const Db& db, std::string_view where) {
  Statement s(
      db, std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND ") + std::string(where));
  return s.step() ? s.int64(0) : 0;
}

// The tables of version 1 and 2; version 3 adds verifiers.
constexpr const char* kFirstTables = "name IN ('datasets', 'attempts', 'models')";
constexpr const char* kOurTables = "name IN ('datasets', 'attempts', 'models', 'verifiers')";
constexpr const char* kOtherTables =
    "name NOT IN ('datasets', 'attempts', 'models', 'verifiers') AND name NOT LIKE 'sqlite_%'";

constexpr const char* kDatasetColumns =
    "SELECT id, source, fingerprint, phrase, n_users, n_attempts, n_valid, fetched_at, n_pages, failure_page, "
    "failure_reason, attempts_checksum, checksum FROM datasets ";

[[noreturn]] void fail_checksum(const Db& db, const std::string& what_fails) {
  throw Error(ErrorKind::corrupt, "database " + db.path + ": " + what_fails + " (the file is damaged)");
}

std::string dataset_checksum(const DataSetRecord& r, std::string_view attempts_checksum) {
  return RowChecksum()
      .add(r.id).add(r.source).add(r.fingerprint).add(r.phrase).add(r.n_users).add(r.n_attempts).add(r.n_valid)
      .add(r.fetched_at).add(r.n_pages).add(r.failure_page).add(r.failure_reason).add(attempts_checksum)
      .hex();
}

void add_attempt_row(RowChecksum& sum, std::int64_t idx, std::string_view user, std::string_view events,
                     std::int64_t session, std::int64_t repetition) {
  sum.add(idx).add(user).add(events).add(session).add(repetition);
}

struct StoredDataSet {
  DataSetRecord record;
  std::optional<std::string> attempts_checksum;  // nullopt in rows stored before schema version 4
};

// A row of kDatasetColumns, checked.
StoredDataSet read_dataset(const Db& db, const Statement& s) {
  StoredDataSet stored;
  DataSetRecord& r = stored.record;
  r.id = s.int64(0);
  r.source = s.text(1);
  r.fingerprint = s.text(2);
  r.phrase = s.text(3);
  r.n_users = s.int64(4);
  r.n_attempts = s.int64(5);
  r.n_valid = s.int64(6);
  r.fetched_at = s.text(7);
  r.n_pages = s.int64(8);
  r.failure_page = s.text(9);
  r.failure_reason = s.text(10);
  if (!s.is_null(11)) stored.attempts_checksum = s.text(11);
  if (!s.is_null(12) && s.text_view(12) != dataset_checksum(r, stored.attempts_checksum.value_or("")))
    fail_checksum(db, "the row of data set " + std::to_string(r.id) + " fails its checksum");
  return stored;
}

std::string record_checksum(const ModelRecord& r) {
  return RowChecksum()
      .add(r.name).add(r.type).add(r.params_json).add(r.dataset_id).add(r.holdout)
      .add(static_cast<std::int64_t>(r.seed)).add(r.metrics_json).add(r.created_at)
      .hex();
}

// A row of columns_of(shelf), checked (the blob is sealed with its own checksum, checked when it is opened).
ModelRecord read_model(const Db& db, const char* noun, const Statement& s) {
  ModelRecord r;
  r.name = s.text(0);
  r.type = s.text(1);
  r.params_json = s.text(2);
  r.dataset_id = s.int64(3);
  r.holdout = s.real(4);
  r.seed = static_cast<std::uint64_t>(s.int64(5));  // stored as the int64 with the same bits
  r.metrics_json = s.text(6);
  r.created_at = s.text(7);
  if (!s.is_null(8) && s.text_view(8) != record_checksum(r))
    fail_checksum(db, std::string("the row of ") + noun + " '" + r.name + "' fails its checksum");
  return r;
}

// A session or repetition as stored: an int, else the row is damaged.
int stored_int(std::int64_t value, const char* what) {
  if (value < 0 || value > std::numeric_limits<int>::max())
    throw Error(ErrorKind::corrupt, std::string(what) + " " + std::to_string(value) + " is out of range");
  return static_cast<int>(value);
}

bool dataset_exists(const Db& db, std::int64_t id) {
  Statement s(db, "SELECT 1 FROM datasets WHERE id = ?");
  s.bind(1, id);
  return s.step();
}

std::optional<StoredDataSet> find_stored_dataset(const Db& db, std::int64_t id) {
  Statement s(db, std::string(kDatasetColumns) + "WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_dataset(db, s);
}

// WAL lets readers work while one writer writes, and a crash loses no committed transaction. The mode is kept
// in the file, so only a new database is switched (an in-memory one stays "memory"). The switch needs the
// file to itself and SQLite does not wait for that (no busy handler), so when other connections are busy
// opening the same new file, wait for them here, as long as the busy timeout.
void set_wal(const Db& db) {
  for (int waited_ms = 0;; waited_ms += 10) {
    std::string mode;
    {
      Statement s(db, "PRAGMA journal_mode");
      if (s.step()) mode = s.text(0);
    }
    if (mode == "wal" || mode == "memory") return;
    const int rc = sqlite3_exec(db.handle, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    const int primary = rc & 0xff;
    const bool busy = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
    if (rc != SQLITE_OK && (!busy || waited_ms >= kBusyTimeoutMs)) db.fail(rc);
    // Accepted but still not made after the timeout: stay with the rollback journal, which is safe too.
    if (waited_ms >= kBusyTimeoutMs) return;
    if (rc != SQLITE_OK) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

Store::Store(const std::string& path) : path_(path) {
  // SQLite would open a private temporary database for "", which would silently keep nothing.
  if (path.empty()) throw Error(ErrorKind::io, "cannot open database: the path is empty");
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, CloseDb> handle(raw);
  if (rc != SQLITE_OK) {
    const std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    throw Error(ErrorKind::io, "cannot open database " + path + ": " + message);
  }
  const Db db{handle.get(), path_};
  sqlite3_extended_result_codes(db.handle, 1);
  sqlite3_busy_timeout(db.handle, kBusyTimeoutMs);
  // Takes effect only when the file is created: an attempt row is ~2 KB of events, so 4 KB pages would
  // hold one row each, half empty; 16 KB pages hold seven.
  db.exec("PRAGMA page_size = 16384");

  // The first read of the file: a file that is not SQLite fails here (SQLITE_NOTADB -> corrupt).
  const int version = user_version(db);
  if (version > kSchemaVersion)
    throw Error(ErrorKind::corrupt, "database " + path + " has schema version " + std::to_string(version) +
                                        ", newer than this ksauth reads (" + std::to_string(kSchemaVersion) +
                                        ")");
  if (version == kSchemaVersion) {
    if (count_tables(db, kOurTables) != 4)
      throw Error(ErrorKind::corrupt, "database " + path + " is not a ksauth database (tables missing)");
  } else {
    Transaction t(db, Transaction::write);
    const int current = user_version(db);  // re-read under the write lock: another process may have just set it up
    if (current == 0) {
      if (count_tables(db, kOtherTables) != 0)
        throw Error(ErrorKind::corrupt, "database " + path + " is a SQLite database but not a ksauth one");
      db.exec(kSchema);
    } else if (current < kSchemaVersion) {
      if (count_tables(db, kFirstTables) != 3)
        throw Error(ErrorKind::corrupt, "database " + path + " is not a ksauth database (tables missing)");
      if (current == 1) db.exec(kMigrateFrom1);
      db.exec(kMigrateTo4);
      if (current == 3) db.exec(kMigrateVerifiersTo4);
      db.exec(kSchema);  // creates the tables added since (verifiers)
    }
    if (current < kSchemaVersion) db.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
    t.commit();
  }
  db.exec("PRAGMA foreign_keys = ON");
  set_wal(db);
  db_ = handle.release();
}

Store::~Store() {
  sqlite3_close_v2(db_);
}

std::int64_t Store::save_dataset(const DataSetRecord& record, std::span<const Attempt> attempts, bool rewrite) {
  const Db db{db_, path_};
  Transaction t(db, Transaction::write);
  std::optional<std::int64_t> existing;
  {
    Statement find(db, "SELECT id FROM datasets WHERE source = ? AND fingerprint = ?");
    find.bind(1, record.source).bind(2, record.fingerprint);
    if (find.step()) existing = find.int64(0);
  }
  if (existing && !rewrite) return *existing;  // already stored: nothing written (the transaction rolls back)

  // Every column but the id and the checksums, which follow from the attempts below.
  Statement write(db, existing ? "UPDATE datasets SET source = ?, fingerprint = ?, phrase = ?, n_users = ?, "
                                 "n_attempts = ?, n_valid = ?, fetched_at = ?, n_pages = ?, failure_page = ?, "
                                 "failure_reason = ? WHERE id = ?"
                               : "INSERT INTO datasets (source, fingerprint, phrase, n_users, n_attempts, n_valid, "
                                 "fetched_at, n_pages, failure_page, failure_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  write.bind(1, record.source)
      .bind(2, record.fingerprint)
      .bind(3, record.phrase)
      .bind(4, record.n_users)
      .bind(5, record.n_attempts)
      .bind(6, record.n_valid)
      .bind(7, record.fetched_at)
      .bind(8, record.n_pages)
      .bind(9, record.failure_page)
      .bind(10, record.failure_reason);
  if (existing) write.bind(11, *existing);
  write.run();
  const std::int64_t id = existing ? *existing : sqlite3_last_insert_rowid(db_);
  if (existing) {
    Statement drop(db, "DELETE FROM attempts WHERE dataset_id = ?");
    drop.bind(1, id);
    drop.run();
  }

  Statement row(db,
                "INSERT INTO attempts (dataset_id, idx, user, events, session, repetition) VALUES (?, ?, ?, ?, ?, ?)");
  RowChecksum rows_sum;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const auto idx = static_cast<std::int64_t>(i);
    const std::string events = detail::encode_events(attempts[i].events);
    row.bind(1, id).bind(2, idx).bind(3, attempts[i].user);
    row.bind_blob(4, events);
    row.bind(5, std::int64_t{attempts[i].session}).bind(6, std::int64_t{attempts[i].repetition});
    row.run();
    row.reset();
    add_attempt_row(rows_sum, idx, attempts[i].user, events, attempts[i].session, attempts[i].repetition);
  }
  DataSetRecord stored = record;
  stored.id = id;
  const std::string attempts_checksum = rows_sum.hex();
  Statement sums(db, "UPDATE datasets SET attempts_checksum = ?, checksum = ? WHERE id = ?");
  sums.bind(1, attempts_checksum).bind(2, dataset_checksum(stored, attempts_checksum)).bind(3, id);
  sums.run();
  t.commit();
  return id;
}

std::optional<DataSetRecord> Store::find_dataset(std::int64_t id) const {
  auto stored = find_stored_dataset({db_, path_}, id);
  if (!stored) return std::nullopt;
  return std::move(stored->record);
}

std::optional<DataSetRecord> Store::latest_dataset_for_source(const std::string& source) const {
  const Db db{db_, path_};
  Statement s(db, std::string(kDatasetColumns) + "WHERE source = ? ORDER BY id DESC LIMIT 1");
  s.bind(1, source);
  if (!s.step()) return std::nullopt;
  return read_dataset(db, s).record;
}

std::vector<DataSetRecord> Store::list_datasets() const {
  const Db db{db_, path_};
  Statement s(db, std::string(kDatasetColumns) + "ORDER BY id");
  std::vector<DataSetRecord> out;
  while (s.step()) out.push_back(read_dataset(db, s).record);
  return out;
}

std::vector<Attempt> Store::load_attempts(std::int64_t dataset_id) const {
  const Db db{db_, path_};
  const Transaction snapshot(db, Transaction::read);  // the check and the rows see the same data
  const auto dataset = find_stored_dataset(db, dataset_id);
  if (!dataset)
    throw Error(ErrorKind::not_found, "data set " + std::to_string(dataset_id) + " not found in " + path_);
  Statement s(db,
              "SELECT idx, user, events, session, repetition FROM attempts WHERE dataset_id = ? ORDER BY idx");
  s.bind(1, dataset_id);
  std::vector<Attempt> out;
  RowChecksum rows_sum;
  while (s.step()) {
    add_attempt_row(rows_sum, s.int64(0), s.text_view(1), s.blob_view(2), s.int64(3), s.int64(4));
    try {
      out.push_back(Attempt{s.text(1), detail::decode_events(s.blob(2)), stored_int(s.int64(3), "session"),
                            stored_int(s.int64(4), "repetition")});
    } catch (const Error& e) {
      throw Error(ErrorKind::corrupt, "database " + path_ + ": data set " + std::to_string(dataset_id) +
                                          ", attempt " + std::to_string(s.int64(0)) + ": " + e.what());
    }
  }
  if (dataset->attempts_checksum && *dataset->attempts_checksum != rows_sum.hex())
    fail_checksum(db, "the attempts of data set " + std::to_string(dataset_id) + " fail their checksum");
  return out;
}

namespace {

// Models and verifiers are stored alike, each in its own table (`shelf.table` is one of our constants,
// never user text).
struct Shelf {
  const char* table;
  const char* noun;  // for messages
};
constexpr Shelf kModels{"models", "model"};
constexpr Shelf kVerifiers{"verifiers", "verifier"};

// The columns read_model reads, then `more`.
std::string columns_of(const Shelf& shelf, std::string_view more = "") {
  return std::string("SELECT name, type, params, dataset_id, holdout, seed, metrics, created_at, checksum") +
         std::string(more) + " FROM " + shelf.table + " ";
}

void save_record(const Db& db, const Shelf& shelf, const ModelRecord& record, bool replace) {
  if (record.name.empty()) throw Error(ErrorKind::invalid_input, std::string("a ") + shelf.noun + " needs a name");
  Transaction t(db, Transaction::write);
  if (!dataset_exists(db, record.dataset_id))
    throw Error(ErrorKind::not_found, std::string(shelf.noun) + " '" + record.name + "': data set " +
                                          std::to_string(record.dataset_id) + " not found in " + db.path);
  bool exists = false;
  {
    Statement s(db, std::string("SELECT 1 FROM ") + shelf.table + " WHERE name = ?");
    s.bind(1, record.name);
    exists = s.step();
  }
  if (exists && !replace)
    throw Error(ErrorKind::conflict, std::string(shelf.noun) + " '" + record.name + "' already exists");
  if (exists) {
    Statement del(db, std::string("DELETE FROM ") + shelf.table + " WHERE name = ?");
    del.bind(1, record.name);
    del.run();
  }
  Statement insert(db, std::string("INSERT INTO ") + shelf.table +
                           " (name, type, params, dataset_id, holdout, seed, metrics, created_at, blob, checksum) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, record.name)
      .bind(2, record.type)
      .bind(3, record.params_json)
      .bind(4, record.dataset_id)
      .bind(5, record.holdout)
      .bind(6, static_cast<std::int64_t>(record.seed))
      .bind(7, record.metrics_json)
      .bind(8, record.created_at)
      .bind_blob(9, record.blob)
      .bind(10, record_checksum(record));
  insert.run();
  t.commit();
}

std::optional<ModelRecord> get_record(const Db& db, const Shelf& shelf, const std::string& name) {
  Statement s(db, columns_of(shelf, ", blob") + "WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  ModelRecord r = read_model(db, shelf.noun, s);
  r.blob = s.blob(9);
  return r;
}

std::optional<std::string> record_stamp(const Db& db, const Shelf& shelf, const std::string& name) {
  Statement s(db, std::string("SELECT rowid, created_at, length(blob) FROM ") + shelf.table + " WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return std::to_string(s.int64(0)) + ' ' + s.text(1) + ' ' + std::to_string(s.int64(2));
}

std::vector<ModelRecord> list_records(const Db& db, const Shelf& shelf, std::optional<std::int64_t> dataset_id) {
  // A data set's models include those of every data set of the same content (its fingerprint) under another
  // source: the same pages loaded from a file and over HTTP are the same data.
  Statement s(db, columns_of(shelf) +
                      (dataset_id ? "WHERE dataset_id IN (SELECT id FROM datasets WHERE fingerprint = "
                                    "(SELECT fingerprint FROM datasets WHERE id = ?)) "
                                  : "") +
                      "ORDER BY rowid");  // rowid grows with each insert
  if (dataset_id) s.bind(1, *dataset_id);
  std::vector<ModelRecord> out;
  while (s.step()) out.push_back(read_model(db, shelf.noun, s));
  return out;
}

bool delete_record(const Db& db, const Shelf& shelf, const std::string& name) {
  Transaction t(db, Transaction::write);
  Statement s(db, std::string("DELETE FROM ") + shelf.table + " WHERE name = ?");
  s.bind(1, name);
  s.run();
  const bool deleted = sqlite3_changes(db.handle) > 0;
  t.commit();
  return deleted;
}

}  // namespace

void Store::save_model(const ModelRecord& record, bool replace) { save_record({db_, path_}, kModels, record, replace); }
std::optional<ModelRecord> Store::get_model(const std::string& name) const { return get_record({db_, path_}, kModels, name); }
std::optional<std::string> Store::model_stamp(const std::string& name) const {
  return record_stamp({db_, path_}, kModels, name);
}
std::vector<ModelRecord> Store::list_models() const { return list_records({db_, path_}, kModels, std::nullopt); }
std::vector<ModelRecord> Store::models_for_dataset(std::int64_t dataset_id) const {
  return list_records({db_, path_}, kModels, dataset_id);
}
bool Store::delete_model(const std::string& name) { return delete_record({db_, path_}, kModels, name); }

void Store::save_verifier(const ModelRecord& record, bool replace) {
  save_record({db_, path_}, kVerifiers, record, replace);
}
std::optional<ModelRecord> Store::get_verifier(const std::string& name) const {
  return get_record({db_, path_}, kVerifiers, name);
}
std::vector<ModelRecord> Store::list_verifiers() const { return list_records({db_, path_}, kVerifiers, std::nullopt); }
bool Store::delete_verifier(const std::string& name) { return delete_record({db_, path_}, kVerifiers, name); }

}  // namespace ksauth::store
