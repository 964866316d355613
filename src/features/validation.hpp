#pragma once
// Which attempts are valid (they spell the phrase once replayed) and which users are enrolled.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/attempt.hpp"
#include "features/replay.hpp"

namespace ksauth::features {

inline constexpr const char* kDefaultPhrase = "Be Authentic. Be Yourself. Be Typing.";

enum class PhraseSource { given, default_phrase, inferred };

struct PhraseChoice {
  std::string phrase;
  PhraseSource source = PhraseSource::given;
};

// `requested` set: that phrase. Unset: the default phrase when at least one attempt spells it, otherwise
// the most common replayed text (ties: the one met first), so a data set of another phrase just works.
// "auto" asks for the inference outright.
PhraseChoice choose_phrase(std::span<const Replay> replays, const std::optional<std::string>& requested);
// The same rule over the replayed texts counted in the order first met (empty texts left out).
struct TextCount {
  std::string text;
  std::size_t count = 0;
};
PhraseChoice choose_phrase(std::span<const TextCount> texts, const std::optional<std::string>& requested);

struct UserSummary {
  std::string user;
  std::size_t valid = 0;
  std::size_t invalid = 0;
  bool enrolled = false;
};

struct Validation {
  PhraseChoice phrase;
  std::vector<Replay> replays;     // per attempt
  std::vector<bool> valid;         // per attempt: replayed text == phrase
  std::vector<UserSummary> users;  // in the order users first appear
  std::size_t min_attempts = 1;

  std::size_t n_valid() const;
  std::size_t n_enrolled() const;
  bool is_enrolled(const std::string& user) const;
};

// min_attempts: valid attempts a user needs to be enrolled (>= 1).
Validation validate(std::span<const Attempt> attempts, const std::optional<std::string>& phrase,
                    std::size_t min_attempts);

const char* to_string(PhraseSource source);

}  // namespace ksauth::features
