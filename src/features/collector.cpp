#include "features/collector.hpp"

#include <algorithm>
#include <limits>

#include "core/error.hpp"

namespace ksauth::features {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kCommonTextRows = 256;         // rows that make a text common
constexpr std::size_t kCommonTextCapacity = 1 << 16;  // rows a common text gets room for

// Columns of make_layout(text, false) inside make_layout(text, true): DD.i is column 3i - 1, then the last two.
std::vector<std::size_t> press_only_columns(std::size_t width) {
  std::vector<std::size_t> columns;
  const std::size_t keys = width / 3;  // width = keys holds + 2 (keys - 1) latencies + 2
  for (std::size_t i = 1; i < keys; ++i) columns.push_back(3 * i - 1);
  columns.push_back(width - 2);
  columns.push_back(width - 1);
  return columns;
}

}  // namespace

void FeatureCollector::add(const Attempt& attempt) {
  replay_into(attempt, replay_);
  add(attempt, replay_);
}

void FeatureCollector::add(const Attempt& attempt, const Replay& r) {
  const std::size_t index = n_attempts_++;
  if (!has_last_user_ || users_[last_user_] != attempt.user) {
    auto [user, new_user] = user_index_.try_emplace(attempt.user, static_cast<std::uint32_t>(users_.size()));
    if (new_user) {
      users_.push_back(attempt.user);
      user_attempts_.push_back(0);
    }
    last_user_ = user->second;
    has_last_user_ = true;
  }
  ++user_attempts_[last_user_];

  if (r.kept.empty()) return;  // no text: invalid for every phrase, and no features
  if (!has_last_text_ || texts_[last_text_].text != r.text) {
    auto [slot, new_text] = text_index_.try_emplace(r.text, texts_.size());
    if (new_text) texts_.push_back({r.text, 3 * r.kept.size(), {}, {}, {}, {}});
    last_text_ = slot->second;
    has_last_text_ = true;
  }
  TextRows& rows = texts_[last_text_];
  if (rows.attempt.size() == kCommonTextRows) {
    // The phrase, most likely: room for many rows at once. That reserves address space, not memory (pages
    // are touched as rows arrive), and spares a large data set the copies and fresh pages of doubling.
    rows.values.reserve(rows.width * kCommonTextCapacity);
  }
  const bool with_release = has_release_times(attempt, r);
  if (with_release) {
    append_values(attempt, r, true, rows.values);
  } else {
    scratch_.clear();
    append_values(attempt, r, false, scratch_);  // DD.1 .. DD.n-1, backspaces, duration
    for (std::size_t i = 0; i < r.kept.size(); ++i) {
      rows.values.push_back(kMissing);  // H.i
      if (i > 0) {
        rows.values.push_back(scratch_[i - 1]);
        rows.values.push_back(kMissing);  // UD.i
      }
    }
    rows.values.insert(rows.values.end(), scratch_.end() - 2, scratch_.end());
  }
  rows.user.push_back(last_user_);
  rows.attempt.push_back(index);
  rows.with_release.push_back(with_release);
}

CollectedFeatures FeatureCollector::finish(const std::optional<std::string>& phrase, std::size_t min_attempts) && {
  if (min_attempts < 1) throw Error(ErrorKind::invalid_input, "--min-attempts must be at least 1");
  std::vector<TextCount> counts;
  counts.reserve(texts_.size());
  for (const TextRows& t : texts_) counts.push_back({t.text, t.attempt.size()});

  CollectedFeatures out;
  out.phrase = choose_phrase(counts, phrase);
  out.n_attempts = n_attempts_;
  const auto found = text_index_.find(out.phrase.phrase);
  TextRows* valid = found == text_index_.end() ? nullptr : &texts_[found->second];

  std::vector<std::size_t> valid_of_user(users_.size(), 0);
  if (valid)
    for (std::uint32_t u : valid->user) ++valid_of_user[u];
  std::vector<int> class_of(users_.size(), -1);
  for (std::size_t u = 0; u < users_.size(); ++u) {
    UserSummary summary{users_[u], valid_of_user[u], user_attempts_[u] - valid_of_user[u], false};
    summary.enrolled = summary.valid >= min_attempts;
    if (summary.enrolled) {
      class_of[u] = static_cast<int>(out.rows.labels.size());
      out.rows.labels.push_back(users_[u]);
    }
    out.users.push_back(std::move(summary));
  }

  const bool with_release = valid && std::all_of(valid->with_release.begin(), valid->with_release.end(), [](bool b) { return b; });
  out.layout = make_layout(out.phrase.phrase, with_release);
  if (!valid) return out;
  out.n_valid = valid->attempt.size();

  if (with_release && out.rows.labels.size() == users_.size()) {  // every row kept as it is: no copy
    out.rows.x = Matrix(valid->attempt.size(), valid->width, std::move(valid->values));
    out.rows.y.reserve(valid->attempt.size());
    for (std::uint32_t u : valid->user) out.rows.y.push_back(class_of[u]);
    out.rows.attempt_index = std::move(valid->attempt);
    return out;
  }
  const std::vector<std::size_t> columns = press_only_columns(valid->width);
  std::vector<double> row;
  for (std::size_t i = 0; i < valid->attempt.size(); ++i) {
    const int cls = class_of[valid->user[i]];
    if (cls < 0) continue;
    const double* values = valid->values.data() + i * valid->width;
    if (with_release) {
      out.rows.x.append_row({values, valid->width});
    } else {
      row.clear();
      for (std::size_t c : columns) row.push_back(values[c]);
      out.rows.x.append_row(row);
    }
    out.rows.y.push_back(cls);
    out.rows.attempt_index.push_back(valid->attempt[i]);
  }
  return out;
}

}  // namespace ksauth::features
