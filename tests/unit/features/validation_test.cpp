#include "features/validation.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace ksauth::features {
namespace {

Attempt spelled(const std::string& user, const std::string& text) {
  Attempt a{user, {}};
  Micros t = 0;
  for (char c : text) a.events.push_back({std::string(1, c), t += 1000, std::nullopt});
  return a;
}

}  // namespace

TEST(Validation, CountsValidAndInvalidPerUserAndEnrolment) {
  const std::vector<Attempt> data = {spelled("a", "abc"), spelled("a", "abd"), spelled("b", "abc"),
                                     spelled("a", "abc"), spelled("c", "xyz")};
  const Validation v = validate(data, std::string("abc"), 2);
  EXPECT_EQ(v.phrase.phrase, "abc");
  EXPECT_EQ(v.phrase.source, PhraseSource::given);
  EXPECT_EQ(v.valid, (std::vector<bool>{true, false, true, true, false}));
  ASSERT_EQ(v.users.size(), 3u);
  EXPECT_EQ(v.users[0].user, "a");
  EXPECT_EQ(v.users[0].valid, 2u);
  EXPECT_EQ(v.users[0].invalid, 1u);
  EXPECT_TRUE(v.users[0].enrolled);
  EXPECT_EQ(v.users[1].valid, 1u);
  EXPECT_FALSE(v.users[1].enrolled);  // 1 valid attempt < 2
  EXPECT_EQ(v.users[2].valid, 0u);
  EXPECT_FALSE(v.users[2].enrolled);
  EXPECT_EQ(v.n_valid(), 3u);
  EXPECT_EQ(v.n_enrolled(), 1u);
}

TEST(Validation, DefaultPhraseWhenSomeoneTypedIt) {
  const std::vector<Attempt> data = {spelled("a", kDefaultPhrase), spelled("a", "xyz"), spelled("a", "xyz")};
  const Validation v = validate(data, std::nullopt, 1);
  EXPECT_EQ(v.phrase.phrase, kDefaultPhrase);
  EXPECT_EQ(v.phrase.source, PhraseSource::default_phrase);
}

TEST(Validation, InfersTheMostCommonTextOtherwise) {
  const std::vector<Attempt> data = {spelled("a", ".tie5"), spelled("a", ".tie5Roanl"), spelled("b", ".tie5Roanl")};
  const Validation v = validate(data, std::nullopt, 1);
  EXPECT_EQ(v.phrase.phrase, ".tie5Roanl");
  EXPECT_EQ(v.phrase.source, PhraseSource::inferred);
  EXPECT_EQ(validate(data, std::string("auto"), 1).phrase.phrase, ".tie5Roanl");
}

TEST(Validation, TiesInInferenceGoToTheTextMetFirst) {
  const std::vector<Attempt> data = {spelled("a", "xy"), spelled("a", "ab"), spelled("b", "ab"), spelled("b", "xy")};
  EXPECT_EQ(validate(data, std::string("auto"), 1).phrase.phrase, "xy");
}

TEST(Validation, RefusesAnEmptyPhraseAndZeroMinimum) {
  const std::vector<Attempt> data = {spelled("a", "x")};
  EXPECT_THROW(validate(data, std::string(""), 1), Error);
  EXPECT_THROW(validate(data, std::string("x"), 0), Error);
  // A control character (a NUL cut the messages that quote the phrase).
  try {
    validate(data, std::string("a\0b", 3), 1);
    ADD_FAILURE() << "a phrase with a NUL was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_STREQ(e.what(), "the phrase contains a control character (got \"a\\x00b\")");
  }
}

}  // namespace ksauth::features
