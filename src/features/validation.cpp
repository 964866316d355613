#include "features/validation.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "core/text.hpp"

namespace ksauth::features {

PhraseChoice choose_phrase(std::span<const TextCount> texts, const std::optional<std::string>& requested) {
  if (requested && *requested != "auto") {
    if (requested->empty()) throw Error(ErrorKind::invalid_input, "the phrase must not be empty");
    if (has_control(*requested))
      throw Error(ErrorKind::invalid_input,
                  "the phrase contains a control character (got \"" + printable(*requested, 60) + "\")");
    return {*requested, PhraseSource::given};
  }
  if (!requested) {
    const bool default_used =
        std::any_of(texts.begin(), texts.end(), [](const TextCount& t) { return t.text == kDefaultPhrase; });
    if (default_used || texts.empty()) return {kDefaultPhrase, PhraseSource::default_phrase};
  }
  if (texts.empty()) return {kDefaultPhrase, PhraseSource::default_phrase};
  const TextCount* best = &texts.front();
  for (const TextCount& t : texts)
    if (t.count > best->count) best = &t;
  return {best->text, PhraseSource::inferred};
}

PhraseChoice choose_phrase(std::span<const Replay> replays, const std::optional<std::string>& requested) {
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<TextCount> texts;  // first appearance, for a stable tie-break
  for (const Replay& r : replays) {
    if (r.text.empty()) continue;
    auto [it, added] = index.try_emplace(r.text, texts.size());
    if (added) texts.push_back({r.text, 0});
    ++texts[it->second].count;
  }
  return choose_phrase(texts, requested);
}

std::size_t Validation::n_valid() const { return static_cast<std::size_t>(std::count(valid.begin(), valid.end(), true)); }

std::size_t Validation::n_enrolled() const {
  return static_cast<std::size_t>(std::count_if(users.begin(), users.end(), [](const UserSummary& u) { return u.enrolled; }));
}

bool Validation::is_enrolled(const std::string& user) const {
  return std::any_of(users.begin(), users.end(), [&](const UserSummary& u) { return u.user == user && u.enrolled; });
}

Validation validate(std::span<const Attempt> attempts, const std::optional<std::string>& phrase,
                    std::size_t min_attempts) {
  if (min_attempts < 1) throw Error(ErrorKind::invalid_input, "--min-attempts must be at least 1");
  Validation v;
  v.min_attempts = min_attempts;
  v.replays.reserve(attempts.size());
  for (const Attempt& a : attempts) v.replays.push_back(replay(a));
  v.phrase = choose_phrase(v.replays, phrase);
  v.valid.reserve(attempts.size());
  std::unordered_map<std::string, std::size_t> user_index;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const bool ok = v.replays[i].text == v.phrase.phrase;
    v.valid.push_back(ok);
    auto [it, added] = user_index.try_emplace(attempts[i].user, v.users.size());
    if (added) v.users.push_back({attempts[i].user});
    UserSummary& u = v.users[it->second];
    (ok ? u.valid : u.invalid) += 1;
  }
  for (UserSummary& u : v.users) u.enrolled = u.valid >= min_attempts;
  return v;
}

const char* to_string(PhraseSource source) {
  switch (source) {
    case PhraseSource::given: return "given";
    case PhraseSource::default_phrase: return "default";
    case PhraseSource::inferred: return "inferred";
  }
  return "given";
}

}  // namespace ksauth::features
