#include "features/replay.hpp"

#include <gtest/gtest.h>

namespace ksauth::features {
namespace {

Attempt typed(std::initializer_list<const char*> keys) {
  Attempt a{"u", {}};
  Micros t = 0;
  for (const char* k : keys) a.events.push_back({k, t += 100000, std::nullopt});
  return a;
}

}  // namespace

TEST(Replay, BackspaceDeletesThePreviousCharacterAndNamedKeysTypeNothing) {
  const Replay r = replay(typed({"[shift]", "B", "x", "[backspace]", "e", "[shift]", "!"}));
  EXPECT_EQ(r.text, "Be!");
  EXPECT_EQ(r.kept, (std::vector<std::size_t>{1, 4, 6}));
  EXPECT_EQ(r.backspaces, 1u);
}

TEST(Replay, BackspaceOnEmptyTextIsCountedAndHarmless) {
  const Replay r = replay(typed({"[backspace]", "[backspace]", "a", "b", "[backspace]", "[backspace]", "c"}));
  EXPECT_EQ(r.text, "c");
  EXPECT_EQ(r.kept, (std::vector<std::size_t>{6}));
  EXPECT_EQ(r.backspaces, 4u);
}

TEST(Replay, MultiByteCharactersAreDeletedWhole) {
  const Replay r = replay(typed({"é", "ß", "[backspace]", "a"}));
  EXPECT_EQ(r.text, "éa");
  EXPECT_EQ(code_points(r.text), 2u);
}

TEST(Replay, EmptyAttempt) {
  const Replay r = replay(Attempt{});
  EXPECT_EQ(r.text, "");
  EXPECT_TRUE(r.kept.empty());
}

}  // namespace ksauth::features
