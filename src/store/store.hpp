#pragma once
// The SQLite store: data sets (with the attempts as loaded), models and verifiers (with their file bytes).
// Every write is one transaction: a failure leaves the database as it was. Every row carries a checksum of
// its values, checked when it is read: a damaged database is Error(corrupt) naming the file, never other data.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/attempt.hpp"

struct sqlite3;

namespace ksauth::store {

struct DataSetRecord {
  std::int64_t id = 0;
  std::string source;       // the URL or path it was loaded from
  std::string fingerprint;  // hash of the attempts' content: the same source with the same content is one data set
  std::string phrase;
  std::int64_t n_users = 0;
  std::int64_t n_attempts = 0;
  std::int64_t n_valid = 0;
  std::string fetched_at;  // ISO timestamp, UTC
  std::int64_t n_pages = 0;     // pages of the chain loaded
  std::string failure_page;     // where the chain stopped early ("" when it was loaded whole)
  std::string failure_reason;
};

struct ModelRecord {
  std::string name;
  std::string type;
  std::string params_json;   // the model's parameters as a JSON object
  std::int64_t dataset_id = 0;
  double holdout = 0;
  std::uint64_t seed = 0;
  std::string metrics_json;  // holdout metrics as a JSON object
  std::string created_at;    // ISO timestamp, UTC
  std::string blob;          // the model file (models/model_file); empty in listings
};

class Store {
 public:
  // Opens (creating if needed) the database file; Error(io) when it cannot, Error(corrupt) when the file is
  // not a ksauth database of a version we read.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Returns the id of the data set with this source and fingerprint, inserting it (and its attempts) if new.
  // With `rewrite`, a data set already there is written again under its id (its record and every attempt,
  // as downloaded anew): what repairs one whose stored rows were damaged.
  std::int64_t save_dataset(const DataSetRecord& record, std::span<const Attempt> attempts, bool rewrite = false);
  std::optional<DataSetRecord> find_dataset(std::int64_t id) const;
  std::optional<DataSetRecord> latest_dataset_for_source(const std::string& source) const;
  std::vector<DataSetRecord> list_datasets() const;
  std::vector<Attempt> load_attempts(std::int64_t dataset_id) const;

  // Error(conflict) when the name exists and replace is false.
  void save_model(const ModelRecord& record, bool replace);
  std::optional<ModelRecord> get_model(const std::string& name) const;  // with the blob
  // What tells one stored version of a model from another without reading its file (its row, creation time
  // and size): a model opened before can be kept while its stamp stays the same. nullopt: no such model.
  std::optional<std::string> model_stamp(const std::string& name) const;
  std::vector<ModelRecord> list_models() const;                          // without blobs, oldest first
  // The models trained on this data set or on another of the same content (fingerprint), oldest first.
  std::vector<ModelRecord> models_for_dataset(std::int64_t dataset_id) const;
  bool delete_model(const std::string& name);

  // Verifiers (verify/verifier.hpp) are stored like models, in their own table and name space; a record's
  // type is the detector's or classifier's, its params the enrollment's, its metrics the verification rates.
  void save_verifier(const ModelRecord& record, bool replace);
  std::optional<ModelRecord> get_verifier(const std::string& name) const;  // with the blob
  std::vector<ModelRecord> list_verifiers() const;                          // without blobs, oldest first
  bool delete_verifier(const std::string& name);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace ksauth::store
