#include "app/model_cache.hpp"

#include "app/model_registry.hpp"
#include "core/error.hpp"

namespace ksauth::app {

ModelCache::ModelCache(const std::string& db_path, std::size_t capacity, std::chrono::milliseconds recheck)
    : db_path_(db_path), capacity_(capacity < 1 ? 1 : capacity), recheck_(recheck) {
  give_back(std::make_unique<store::Store>(db_path_));  // fails now, not on the first request
}

std::unique_ptr<store::Store> ModelCache::take_connection() {
  {
    std::lock_guard lock(connections_mutex_);
    if (!idle_connections_.empty()) {
      auto connection = std::move(idle_connections_.back());
      idle_connections_.pop_back();
      return connection;
    }
  }
  return std::make_unique<store::Store>(db_path_);
}

void ModelCache::give_back(std::unique_ptr<store::Store> connection) {
  std::lock_guard lock(connections_mutex_);
  idle_connections_.push_back(std::move(connection));
}

void ModelCache::forget(const std::string& name) {
  // After any read in flight (every insertion holds load_mutex_), so that it cannot put the model back.
  std::lock_guard loading(load_mutex_);
  std::unique_lock lock(mutex_);
  const auto found = entries_.find(name);
  if (found == entries_.end()) return;
  uses_.erase(found->second.use);
  entries_.erase(found);
}

std::shared_ptr<const models::TrainedModel> ModelCache::open(const std::string& name) {
  using Clock = std::chrono::steady_clock;
  {
    std::shared_lock lock(mutex_);
    const auto found = entries_.find(name);
    if (found != entries_.end() && Clock::now() - found->second.checked_at < recheck_) return found->second.model;
  }
  std::unique_ptr<store::Store> connection = take_connection();
  struct GiveBack {
    ModelCache& cache;
    std::unique_ptr<store::Store>& connection;
    ~GiveBack() { cache.give_back(std::move(connection)); }
  } give_back_on_exit{*this, connection};

  // The model kept under `name` when its stamp is still `stamp`; a stale one is dropped.
  const auto cached = [&](const std::optional<std::string>& stamp) -> std::shared_ptr<const models::TrainedModel> {
    std::unique_lock lock(mutex_);
    const auto found = entries_.find(name);
    if (found == entries_.end()) return nullptr;
    if (stamp && found->second.stamp == *stamp) {
      found->second.checked_at = Clock::now();
      uses_.splice(uses_.begin(), uses_, found->second.use);
      return found->second.model;
    }
    uses_.erase(found->second.use);
    entries_.erase(found);
    return nullptr;
  };

  std::optional<std::string> stamp = connection->model_stamp(name);
  if (auto model = cached(stamp)) return model;

  std::lock_guard loading(load_mutex_);
  stamp = connection->model_stamp(name);
  if (auto model = cached(stamp)) return model;  // another thread read it meanwhile
  // open_model names a missing model. Read in a transaction of its own, the stamp may have moved on since.
  auto model = std::make_shared<const models::TrainedModel>(open_model(*connection, name));
  const std::optional<std::string> read_stamp = connection->model_stamp(name);
  if (!read_stamp || read_stamp != stamp) return model;  // replaced while it was read: use it, keep nothing
  std::unique_lock lock(mutex_);
  uses_.push_front(name);
  entries_.emplace(name, Entry{*read_stamp, Clock::now(), model, uses_.begin()});
  while (entries_.size() > capacity_) {
    entries_.erase(uses_.back());
    uses_.pop_back();
  }
  return model;
}

}  // namespace ksauth::app
