#include "app/data_set.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "core/error.hpp"
#include "core/timestamp.hpp"
#include "ingest/fetch.hpp"

namespace ksauth::app {
namespace {

// FNV-1a over the attempts' content: the same source with the same content is the same data set.
std::string fingerprint(const std::vector<Attempt>& attempts) {
  std::uint64_t h = 1469598103934665603ull;
  const auto mix = [&h](const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  for (const Attempt& a : attempts) {
    mix(a.user.data(), a.user.size() + 1);
    for (const KeyEvent& e : a.events) {
      mix(e.key.data(), e.key.size() + 1);
      mix(&e.pressed_at, sizeof e.pressed_at);
      const Micros released = e.released_at.value_or(-1);
      mix(&released, sizeof released);
    }
    mix("\n", 1);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Hold and release-to-press features only when every valid attempt has release times.
bool valid_attempts_have_release(const std::vector<Attempt>& attempts, const features::Validation& v) {
  bool any = false;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    if (!v.valid[i]) continue;
    if (!features::has_release_times(attempts[i], v.replays[i])) return false;
    any = true;
  }
  return any;
}

}  // namespace

namespace {

// Validation and the feature layout, over attempts however they were obtained.
void validate(LoadedData& data, const DataOptions& options) {
  data.validation = features::validate(data.attempts, options.phrase, options.min_attempts);
  data.layout = features::make_layout(data.validation.phrase.phrase,
                                      valid_attempts_have_release(data.attempts, data.validation));
}

LoadedData store_new(store::Store& store, const std::string& source, ingest::ChainLoad load,
                     const DataOptions& options, const Progress& progress) {
  LoadedData data;
  data.attempts = std::move(load.attempts);
  data.failure = std::move(load.failure);
  validate(data, options);

  store::DataSetRecord& record = data.dataset;
  record.source = source;
  record.fingerprint = fingerprint(data.attempts);
  record.phrase = data.validation.phrase.phrase;
  record.n_users = static_cast<std::int64_t>(data.validation.users.size());
  record.n_attempts = static_cast<std::int64_t>(data.attempts.size());
  record.n_valid = static_cast<std::int64_t>(data.validation.n_valid());
  record.fetched_at = utc_now_iso();
  record.n_pages = static_cast<std::int64_t>(load.pages.size());
  if (data.failure) {
    record.failure_page = data.failure->page;
    record.failure_reason = data.failure->reason;
  }
  progress.report("storing", 0, 1);
  // A refresh writes the data set again even when its content is the same: what repairs damaged stored rows.
  record.id = store.save_dataset(record, data.attempts, options.refresh);
  if (auto stored = store.find_dataset(record.id)) record = *stored;
  return data;
}

}  // namespace

LoadedData load_training_data(store::Store& store, const std::string& url, const DataOptions& options,
                              const Progress& progress) {
  if (!options.refresh) {
    // Read from the store only what could be fetched: a source the policy refuses is refused all the same.
    ingest::check_source(options.sources, url);
    if (auto stored = store.latest_dataset_for_source(url)) {
      progress.report("reading the store", 0, 1);
      return load_stored_data(store, stored->id, options);
    }
  }
  return store_new(store, url, ingest::load_training_chain(url, progress, options.sources), options, progress);
}

LoadedData load_stored_data(const store::Store& store, std::int64_t dataset_id, const DataOptions& options) {
  auto record = store.find_dataset(dataset_id);
  if (!record) throw Error(ErrorKind::not_found, "no data set with id " + std::to_string(dataset_id));
  LoadedData data;
  data.attempts = store.load_attempts(dataset_id);
  if (!record->failure_page.empty()) data.failure = ingest::PageFailure{record->failure_page, record->failure_reason};
  data.from_store = true;
  data.dataset = std::move(*record);
  validate(data, options);
  return data;
}

LoadedData load_uploaded_data(store::Store& store, const std::string& name, std::string_view page_json,
                              const DataOptions& options) {
  const std::string source = "upload:" + name;
  ingest::ChainLoad load;
  try {
    load.attempts = ingest::parse_training_page(page_json).attempts;
  } catch (const Error& e) {
    throw Error(e.kind(), source + ": " + e.what());
  }
  load.pages.push_back(source);
  return store_new(store, source, std::move(load), options, {});
}

LabelledFeatures labelled_features(const LoadedData& data) {
  features::FeatureCollector collector;
  for (std::size_t i = 0; i < data.attempts.size(); ++i) collector.add(data.attempts[i], data.validation.replays[i]);
  // The phrase as validated (given, so that no other choice can be made), for the same enrolment.
  return std::move(collector).finish(data.validation.phrase.phrase, data.validation.min_attempts).rows;
}

StreamedFeatures stream_training_features(const std::string& url, const DataOptions& options, const Progress& progress) {
  features::FeatureCollector collector;
  ingest::ChainWalk walk = ingest::walk_training_chain(
      url,
      [&](ingest::TrainingPage& page) {
        for (const Attempt& a : page.attempts) collector.add(a);
      },
      progress, options.sources);
  features::CollectedFeatures collected = std::move(collector).finish(options.phrase, options.min_attempts);
  StreamedFeatures out;
  out.pages = std::move(walk.pages);
  out.failure = std::move(walk.failure);
  out.n_attempts = collected.n_attempts;
  out.phrase = std::move(collected.phrase);
  out.users = std::move(collected.users);
  out.layout = std::move(collected.layout);
  out.features = std::move(collected.rows);
  return out;
}

LabelledFeatures labelled_features_of_users(const LoadedData& data, const std::string& url, const std::string& why) {
  LabelledFeatures out = labelled_features(data);
  if (out.labels.size() < 2)
    throw Error(ErrorKind::invalid_input, url + ": " + std::to_string(out.labels.size()) +
                                              " enrolled user(s) with valid attempts of the phrase \"" +
                                              data.validation.phrase.phrase + "\"; " + why);
  return out;
}

std::vector<FeatureRow> feature_rows(const LabelledFeatures& features, std::size_t offset, std::size_t limit) {
  std::vector<FeatureRow> out;
  for (std::size_t r = offset; r < features.x.rows() && r - offset < limit; ++r) {
    const auto values = features.x.row(r);
    out.push_back({features.attempt_index[r], features.labels[static_cast<std::size_t>(features.y[r])],
                   {values.begin(), values.end()}});
  }
  return out;
}

}  // namespace ksauth::app
