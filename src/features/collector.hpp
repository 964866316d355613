#pragma once
// The features of a data set met one attempt at a time, so that a chain of any length is read page by page
// without keeping its key events: each attempt is replayed at once and kept only as its user, its replayed
// text and its feature values over that text (with hold and release-to-press values when its kept keys have
// release times). The phrase, and so which attempts are valid, is chosen at the end by the rule of
// validate(); the result is what validate() and the feature layout give over the same attempts.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/attempt.hpp"
#include "core/matrix.hpp"
#include "features/validation.hpp"
#include "features/vector.hpp"

namespace ksauth::features {

// Rows: the valid attempts of enrolled users, in the order met; y: index into labels (enrolled users, in the
// order first met).
struct LabelledRows {
  Matrix x;
  std::vector<int> y;
  std::vector<std::string> labels;
  std::vector<std::size_t> attempt_index;  // row -> index of the attempt in the data set
};

struct CollectedFeatures {
  PhraseChoice phrase;
  std::vector<UserSummary> users;  // in the order users first appear
  std::size_t n_attempts = 0;
  std::size_t n_valid = 0;
  FeatureLayout layout;  // with release features when every valid attempt has release times
  LabelledRows rows;     // attempt_index counts the attempts in the order added
};

class FeatureCollector {
 public:
  void add(const Attempt& attempt);
  // The same with the attempt's replay already made (validate() makes them): it is not replayed again.
  void add(const Attempt& attempt, const Replay& replay);
  std::size_t size() const { return n_attempts_; }

  // phrase and min_attempts as for validate(): Error(invalid_input) for min_attempts < 1 or an empty phrase.
  // Consumes the collector (its rows move into the result).
  CollectedFeatures finish(const std::optional<std::string>& phrase, std::size_t min_attempts) &&;

 private:
  // The attempts of one replayed text, in the order met.
  struct TextRows {
    std::string text;
    std::size_t width = 0;        // values per row: make_layout(text, true).names.size(), 3 per key
    std::vector<double> values;   // width per row; holds and UD are NaN in rows without release times
    std::vector<std::uint32_t> user;
    std::vector<std::size_t> attempt;
    std::vector<bool> with_release;
  };

  std::size_t n_attempts_ = 0;
  std::vector<TextRows> texts_;                           // in the order first met
  std::unordered_map<std::string, std::size_t> text_index_;
  std::vector<std::string> users_;                        // in the order first met
  std::vector<std::size_t> user_attempts_;                // attempts per user
  std::unordered_map<std::string, std::uint32_t> user_index_;
  std::vector<double> scratch_;
  Replay replay_;  // reused for every attempt
  // The user and text of the attempt before: consecutive attempts mostly share them, and a comparison
  // costs less than a hash lookup.
  std::uint32_t last_user_ = 0;
  std::size_t last_text_ = 0;
  bool has_last_user_ = false, has_last_text_ = false;
};

}  // namespace ksauth::features
