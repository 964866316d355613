#pragma once
// Models kept open between predictions, for a server: a stored model is read and checked once, then reused
// for as long as the store holds that same version under its name (a replaced or deleted model, by this
// process or another, is read again, or reported missing). The store is asked for the version at most once
// per `recheck` per model (a quarter second by default), so a replacement is seen within that time;
// between checks a prediction touches no SQLite at all, which costs more than the prediction itself.
// The store is read over connections kept open for reuse (one per thread asking at the same time). No lock
// is held while SQLite works or a model loads.
// Safe to share between threads; a model is used concurrently only through Classifier::predict_proba,
// which is const.
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/model_file.hpp"
#include "store/store.hpp"

namespace ksauth::app {

class ModelCache {
 public:
  // At most `capacity` models stay open; the one checked least recently is closed first.
  static constexpr std::chrono::milliseconds kDefaultRecheck{250};

  // Opens the database at db_path (Error(io) / Error(corrupt) as store::Store).
  explicit ModelCache(const std::string& db_path, std::size_t capacity = 16,
                      std::chrono::milliseconds recheck = kDefaultRecheck);

  // As open_model (app/model_registry.hpp): Error(not_found) / Error(corrupt).
  std::shared_ptr<const models::TrainedModel> open(const std::string& name);
  // Closes the model kept under `name`, if any (its next open reads the store): for changes made here.
  void forget(const std::string& name);

 private:
  struct Entry {
    std::string stamp;
    std::chrono::steady_clock::time_point checked_at;  // when the stamp was last read from the store
    std::shared_ptr<const models::TrainedModel> model;
    std::list<std::string>::iterator use;  // its place in uses_ (moved to the front at each check)
  };
  std::unique_ptr<store::Store> take_connection();
  void give_back(std::unique_ptr<store::Store> connection);

  std::string db_path_;
  std::size_t capacity_;
  std::chrono::milliseconds recheck_;
  std::mutex connections_mutex_;
  std::vector<std::unique_ptr<store::Store>> idle_connections_;
  std::mutex load_mutex_;  // one model read at a time: concurrent misses of one model wait for the first
  // Guards the entries: shared by the lookups of requests (the hot path, which must not queue the request
  // threads behind one another), exclusive for changes.
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> uses_;  // names, most recently checked first
};

}  // namespace ksauth::app
