#pragma once
// Models kept open between predictions, for a server: a stored model is read and checked once, then reused
// for as long as the store holds that same version under its name (a replaced or deleted model, by this
// process or another, is read again, or reported missing). The versions are asked of the store over
// connections kept open for reuse (one per thread asking at the same time), not one opened per request:
// opening SQLite costs more than a prediction. No lock is held while SQLite works or a model loads.
// Safe to share between threads; a model is used concurrently only through Classifier::predict_proba,
// which is const.
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/model_file.hpp"
#include "store/store.hpp"

namespace ksauth::app {

class ModelCache {
 public:
  // At most `capacity` models stay open; the least recently used one is closed first.
  // Opens the database at db_path (Error(io) / Error(corrupt) as store::Store).
  explicit ModelCache(const std::string& db_path, std::size_t capacity = 16);

  // As open_model (app/model_registry.hpp): Error(not_found) / Error(corrupt).
  std::shared_ptr<const models::TrainedModel> open(const std::string& name);

 private:
  struct Entry {
    std::string stamp;
    std::shared_ptr<const models::TrainedModel> model;
    std::list<std::string>::iterator use;  // its place in uses_
  };
  std::unique_ptr<store::Store> take_connection();
  void give_back(std::unique_ptr<store::Store> connection);

  std::string db_path_;
  std::size_t capacity_;
  std::mutex connections_mutex_;
  std::vector<std::unique_ptr<store::Store>> idle_connections_;
  std::mutex load_mutex_;  // one model read at a time: concurrent misses of one model wait for the first
  std::mutex mutex_;       // guards the entries
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> uses_;  // names, most recently used first
};

}  // namespace ksauth::app
