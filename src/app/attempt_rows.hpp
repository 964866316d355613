#pragma once
// The feature rows of attempts to score with a stored model or verifier: each attempt that spells the
// phrase (and has the release times the features need) becomes a row; the others get the reason why not.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/attempt.hpp"
#include "core/matrix.hpp"

namespace ksauth::app {

struct AttemptRows {
  Matrix x;                          // one row per attempt that can be scored
  std::vector<std::size_t> attempt;  // row -> index of its attempt
  std::vector<std::string> reason;   // per attempt: why it cannot be scored, "" when it can
};

// Error(corrupt) when the phrase and feature names match no layout this ksauth computes (a damaged file).
AttemptRows attempt_rows(const std::string& phrase, const std::vector<std::string>& feature_names,
                         std::span<const Attempt> attempts);

}  // namespace ksauth::app
