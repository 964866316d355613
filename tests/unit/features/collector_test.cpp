#include "features/collector.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"

namespace ksauth::features {
namespace {

// An attempt typing `keys` from t0 (microseconds), a key every 200 ms, each held 50 ms unless no_release.
Attempt typed(const std::string& user, const std::vector<std::string>& keys, Micros t0, bool no_release = false) {
  Attempt a{user, {}};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const Micros press = t0 + static_cast<Micros>(i) * 200'000 + static_cast<Micros>(i * i) * 1000;
    KeyEvent e{keys[i], press, std::nullopt};
    if (!no_release) e.released_at = press + 50'000 + static_cast<Micros>(i) * 500;
    a.events.push_back(e);
  }
  return a;
}

// What validate() and extract() give over the same attempts: the reference the collector must match.
struct Expected {
  Validation validation;
  FeatureLayout layout;
  Matrix x;
  std::vector<std::size_t> attempt_index;
};
Expected by_validation(const std::vector<Attempt>& attempts, const std::optional<std::string>& phrase,
                       std::size_t min_attempts) {
  Expected out;
  out.validation = validate(attempts, phrase, min_attempts);
  bool with_release = false;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    if (!out.validation.valid[i]) continue;
    with_release = has_release_times(attempts[i], out.validation.replays[i]);
    if (!with_release) break;
  }
  out.layout = make_layout(out.validation.phrase.phrase, with_release);
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    if (!out.validation.valid[i] || !out.validation.is_enrolled(attempts[i].user)) continue;
    if (auto row = extract(attempts[i], out.validation.replays[i], out.layout)) {
      out.x.append_row(*row);
      out.attempt_index.push_back(i);
    }
  }
  return out;
}

void expect_same(const std::vector<Attempt>& attempts, const std::optional<std::string>& phrase,
                 std::size_t min_attempts) {
  FeatureCollector collector;
  for (const Attempt& a : attempts) collector.add(a);
  EXPECT_EQ(collector.size(), attempts.size());
  const CollectedFeatures got = std::move(collector).finish(phrase, min_attempts);
  const Expected want = by_validation(attempts, phrase, min_attempts);

  EXPECT_EQ(got.phrase.phrase, want.validation.phrase.phrase);
  EXPECT_EQ(got.phrase.source, want.validation.phrase.source);
  EXPECT_EQ(got.n_attempts, attempts.size());
  EXPECT_EQ(got.n_valid, want.validation.n_valid());
  ASSERT_EQ(got.users.size(), want.validation.users.size());
  for (std::size_t u = 0; u < got.users.size(); ++u) {
    EXPECT_EQ(got.users[u].user, want.validation.users[u].user);
    EXPECT_EQ(got.users[u].valid, want.validation.users[u].valid);
    EXPECT_EQ(got.users[u].invalid, want.validation.users[u].invalid);
    EXPECT_EQ(got.users[u].enrolled, want.validation.users[u].enrolled);
  }
  EXPECT_EQ(got.layout, want.layout);
  EXPECT_EQ(got.rows.attempt_index, want.attempt_index);
  ASSERT_EQ(got.rows.x.rows(), want.x.rows());
  ASSERT_EQ(got.rows.x.cols(), want.x.cols());
  EXPECT_EQ(got.rows.x.data(), want.x.data());  // the same arithmetic: exactly equal
  for (std::size_t r = 0; r < got.rows.x.rows(); ++r)
    EXPECT_EQ(got.rows.labels[static_cast<std::size_t>(got.rows.y[r])], attempts[got.rows.attempt_index[r]].user);
}

}  // namespace

TEST(FeatureCollector, GivesWhatValidationAndExtractionGiveWithReleaseTimes) {
  std::vector<Attempt> attempts;
  for (int i = 0; i < 4; ++i) attempts.push_back(typed("u1", {"a", "b", "c"}, i * 10'000'000));
  attempts.push_back(typed("u2", {"a", "x", "[backspace]", "b", "[shift]", "c"}, 50'000'000));
  attempts.push_back(typed("u2", {"a", "b"}, 60'000'000));  // invalid: another text
  attempts.push_back(typed("u3", {"[backspace]", "[shift]"}, 70'000'000));  // no text at all
  attempts.push_back(typed("u2", {"a", "b", "c"}, 80'000'000));
  expect_same(attempts, std::nullopt, 1);  // inferred: "abc"
  expect_same(attempts, std::string("abc"), 2);  // u2 enrolled with 2 valid, u3 not
  expect_same(attempts, std::string("ab"), 1);
  expect_same(attempts, std::string("never typed"), 1);
}

TEST(FeatureCollector, DropsReleaseFeaturesWhenOneValidAttemptLacksThem) {
  std::vector<Attempt> attempts;
  attempts.push_back(typed("u1", {"a", "b", "c"}, 0));
  attempts.push_back(typed("u2", {"a", "b", "c"}, 10'000'000, true));
  attempts.push_back(typed("u1", {"a", "b", "c", "d"}, 20'000'000, true));  // invalid: does not matter
  attempts.push_back(typed("u2", {"a", "b", "c"}, 30'000'000));
  FeatureCollector collector;
  for (const Attempt& a : attempts) collector.add(a);
  const CollectedFeatures got = std::move(collector).finish(std::nullopt, 1);
  EXPECT_FALSE(got.layout.with_release);
  ASSERT_EQ(got.rows.x.cols(), 4u);  // DD.1, DD.2, backspaces, duration
  EXPECT_FALSE(std::isnan(got.rows.x(0, 0)));
  expect_same(attempts, std::nullopt, 1);
  expect_same(attempts, std::string("abcd"), 1);  // the one attempt of "abcd" has no release times
}

TEST(FeatureCollector, PrefersTheDefaultPhraseAndBreaksTiesByFirstMet) {
  std::vector<Attempt> attempts;
  attempts.push_back(typed("u1", {"x", "y"}, 0));
  attempts.push_back(typed("u1", {"a", "b"}, 10'000'000));
  attempts.push_back(typed("u2", {"a", "b"}, 20'000'000));
  attempts.push_back(typed("u2", {"x", "y"}, 30'000'000));
  expect_same(attempts, std::nullopt, 1);  // a tie: "xy", met first
  expect_same(attempts, std::string("auto"), 1);
  std::vector<std::string> keys;
  for (char c : std::string(kDefaultPhrase)) keys.push_back(std::string(1, c));
  attempts.push_back(typed("u3", keys, 40'000'000));
  expect_same(attempts, std::nullopt, 1);  // the default phrase, typed once, wins over the commoner texts
}

TEST(FeatureCollector, ChecksItsArguments) {
  FeatureCollector a;
  EXPECT_THROW((void)std::move(a).finish(std::nullopt, 0), Error);
  FeatureCollector b;
  EXPECT_THROW((void)std::move(b).finish(std::string(), 1), Error);
  FeatureCollector empty;
  const CollectedFeatures none = std::move(empty).finish(std::nullopt, 1);
  EXPECT_EQ(none.phrase.phrase, kDefaultPhrase);
  EXPECT_EQ(none.rows.x.rows(), 0u);
}

}  // namespace ksauth::features
