#pragma once
// Use case: is each attempt really the claimed user? A stored verifier scores it for that user and accepts
// it when the score reaches the user's threshold.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/attempt.hpp"
#include "core/progress.hpp"
#include "ingest/source_policy.hpp"
#include "store/store.hpp"
#include "verify/verifier.hpp"

namespace ksauth::app {

struct VerificationRow {
  std::size_t attempt = 0;  // 0-based index in the source
  bool ok = false;          // false: the attempt cannot be scored
  std::string reason;       // why not, when !ok
  bool accept = false;
  double score = 0;
};

struct VerifyReport {
  std::string verifier;
  std::string type;
  std::string user;
  double threshold = 0;
  std::vector<VerificationRow> rows;
  std::size_t n_ok = 0;
  std::size_t n_accepted = 0;
};

// Error(not_found) when the user is not enrolled.
VerifyReport verify_attempts(const verify::Verifier& verifier, std::string_view user, std::span<const Attempt> attempts);
// Every attempt of a test URL ({"attempts": [...]}), downloaded under `sources`.
VerifyReport verify(const store::Store& store, const std::string& url, const std::string& verifier_name,
                    const std::string& user, const ingest::SourcePolicy& sources, const Progress& progress = {});
// The attempts of a test file's JSON text ({"attempts": [...]}, as an API body).
VerifyReport verify_test_json(const store::Store& store, std::string_view test_json, const std::string& verifier_name,
                              const std::string& user);
// One attempt given as the JSON text of its array of events (the API's "attempt"): a report of one row.
// Error(invalid_input) when it is malformed or cannot be scored (it does not spell the phrase, or lacks
// release times), saying why.
VerifyReport verify_attempt_json(const store::Store& store, const std::string& verifier_name, const std::string& user,
                                 std::string_view attempt_json);

}  // namespace ksauth::app
