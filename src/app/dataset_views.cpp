#include "app/dataset_views.hpp"

#include <algorithm>
#include <cmath>

#include "app/limits.hpp"
#include "core/error.hpp"
#include "features/replay.hpp"

namespace ksauth::app {
namespace {

struct MeanStd {
  std::vector<double> sum, sum_sq;
  std::size_t n = 0;

  explicit MeanStd(std::size_t size) : sum(size), sum_sq(size) {}
  void add(const std::vector<double>& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      sum[i] += v[i];
      sum_sq[i] += v[i] * v[i];
    }
    ++n;
  }
  std::vector<double> mean() const {
    std::vector<double> m(sum.size());
    for (std::size_t i = 0; i < m.size(); ++i) m[i] = sum[i] / static_cast<double>(n);
    return m;
  }
  std::vector<double> std_dev() const {
    std::vector<double> s(sum.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      const double mean = sum[i] / static_cast<double>(n);
      s[i] = std::sqrt(std::max(0.0, sum_sq[i] / static_cast<double>(n) - mean * mean));
    }
    return s;
  }
};

}  // namespace

AnalyzeReport analyze_stored(const store::Store& store, std::int64_t dataset_id, const DataOptions& options,
                             std::size_t first_n) {
  check_rows_shown(first_n);
  return analysis_of(load_stored_data(store, dataset_id, options), first_n);
}

AnalyzeReport analyze_upload(store::Store& store, const std::string& name, std::string_view page_json,
                             const DataOptions& options, std::size_t first_n) {
  check_rows_shown(first_n);
  return analysis_of(load_uploaded_data(store, name, page_json, options), first_n);
}

KeystrokePage keystroke_page(const store::Store& store, std::int64_t dataset_id, std::size_t offset,
                             std::size_t limit) {
  check_rows_shown(limit);
  if (!store.find_dataset(dataset_id))
    throw Error(ErrorKind::not_found, "no data set with id " + std::to_string(dataset_id));
  const std::vector<Attempt> attempts = store.load_attempts(dataset_id);
  KeystrokePage page;
  page.offset = offset;
  std::size_t first_attempt = attempts.size(), skip = 0;  // the attempt holding row `offset`, rows before it in it
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const std::size_t n = attempts[i].events.size();
    if (first_attempt == attempts.size() && offset < page.total + n) {
      first_attempt = i;
      skip = offset - page.total;
    }
    page.total += n;
  }
  if (first_attempt < attempts.size() && limit > 0) {
    const std::span<const Attempt> rest(attempts.begin() + static_cast<std::ptrdiff_t>(first_attempt), attempts.end());
    auto rows = features::keystroke_rows(rest, skip + limit);
    page.rows.assign(std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(skip)),
                     std::make_move_iterator(rows.end()));
  }
  return page;
}

FeaturePage feature_page(const store::Store& store, std::int64_t dataset_id, const DataOptions& options,
                         std::size_t offset, std::size_t limit) {
  check_rows_shown(limit);
  const LoadedData data = load_stored_data(store, dataset_id, options);
  const LabelledFeatures rows = labelled_features(data);
  FeaturePage page;
  page.total = rows.x.rows();
  page.offset = offset;
  page.feature_names = data.layout.names;
  page.rows = feature_rows(rows, offset, limit);
  return page;
}

Rhythm rhythm(const store::Store& store, std::int64_t dataset_id, const std::optional<std::string>& user,
              const DataOptions& options) {
  const LoadedData data = load_stored_data(store, dataset_id, options);
  const auto& users = data.validation.users;
  if (user && std::none_of(users.begin(), users.end(), [&](const auto& u) { return u.user == *user; }))
    throw Error(ErrorKind::not_found, "no user '" + *user + "' in data set " + std::to_string(dataset_id));

  // The press-to-press columns of the feature layout, in phrase order.
  std::vector<std::size_t> columns;
  for (std::size_t c = 0; c < data.layout.names.size(); ++c)
    if (data.layout.names[c].starts_with("DD.")) columns.push_back(c);

  Rhythm out;
  out.user = user;
  const std::vector<std::string> chars = features::characters(data.validation.phrase.phrase);
  if (chars.size() > 1) out.positions.assign(chars.begin() + 1, chars.end());
  MeanStd mine(columns.size()), everyone(columns.size());
  std::vector<double> latencies(columns.size());
  for (std::size_t i = 0; i < data.attempts.size(); ++i) {
    if (!data.validation.valid[i]) continue;
    const auto values = features::extract(data.attempts[i], data.validation.replays[i], data.layout);
    if (!values) continue;
    for (std::size_t k = 0; k < columns.size(); ++k) latencies[k] = (*values)[columns[k]];
    everyone.add(latencies);
    if (user && data.attempts[i].user == *user) mine.add(latencies);
  }
  if (everyone.n == 0)
    throw Error(ErrorKind::invalid_input, "data set " + std::to_string(dataset_id) +
                                              " has no valid attempts of the phrase \"" +
                                              data.validation.phrase.phrase + "\"");
  if (user && mine.n == 0)
    throw Error(ErrorKind::invalid_input, "user '" + *user + "' has no valid attempts of the phrase \"" +
                                              data.validation.phrase.phrase + "\"");
  out.population_attempts = everyone.n;
  out.population_mean = everyone.mean();
  out.population_std = everyone.std_dev();
  if (user) {
    out.user_attempts = mine.n;
    out.user_mean = mine.mean();
    out.user_std = mine.std_dev();
  }
  return out;
}

}  // namespace ksauth::app
