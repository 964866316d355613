#include "app/verify.hpp"

#include "app/attempt_rows.hpp"
#include "app/verifier_registry.hpp"
#include "core/error.hpp"
#include "ingest/pages.hpp"

namespace ksauth::app {

VerifyReport verify_attempts(const verify::Verifier& verifier, std::string_view user, std::span<const Attempt> attempts) {
  const std::size_t index = verifier.user_index(user);
  const AttemptRows rows = attempt_rows(verifier.phrase, verifier.feature_names, attempts);
  VerifyReport report;
  report.type = verifier.type;
  report.user = std::string(user);
  report.threshold = verifier.thresholds[index];
  report.rows.resize(attempts.size());
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    report.rows[i].attempt = i;
    report.rows[i].reason = rows.reason[i];
  }
  if (!rows.attempt.empty()) {
    const std::vector<double> scores = verifier.scores(index, rows.x);
    for (std::size_t r = 0; r < scores.size(); ++r) {
      VerificationRow& row = report.rows[rows.attempt[r]];
      row.ok = true;
      row.score = scores[r];
      row.accept = scores[r] >= report.threshold;
      report.n_accepted += row.accept ? 1 : 0;
    }
  }
  report.n_ok = rows.attempt.size();
  return report;
}

VerifyReport verify(const store::Store& store, const std::string& url, const std::string& verifier_name,
                    const std::string& user, const ingest::SourcePolicy& sources, const Progress& progress) {
  const verify::Verifier verifier = open_verifier(store, verifier_name);  // bad names fail before the download
  verifier.user_index(user);
  progress.report("download", 0, 1);
  const std::vector<Attempt> attempts = ingest::load_test_attempts(url, sources);
  progress.report("verifying", 0, 1);
  VerifyReport report = verify_attempts(verifier, user, attempts);
  report.verifier = verifier_name;
  return report;
}

VerifyReport verify_test_json(const store::Store& store, std::string_view test_json, const std::string& verifier_name,
                              const std::string& user) {
  const verify::Verifier verifier = open_verifier(store, verifier_name);
  verifier.user_index(user);
  std::vector<Attempt> attempts;
  try {
    attempts = ingest::parse_test_file(test_json);
  } catch (const Error& e) {
    throw Error(e.kind(), std::string("body: ") + e.what());
  }
  VerifyReport report = verify_attempts(verifier, user, attempts);
  report.verifier = verifier_name;
  return report;
}

VerifyReport verify_attempt_json(const store::Store& store, const std::string& verifier_name, const std::string& user,
                                 std::string_view attempt_json) {
  const verify::Verifier verifier = open_verifier(store, verifier_name);
  std::vector<Attempt> attempts;
  try {
    attempts = ingest::parse_test_file("{\"attempts\": [" + std::string(attempt_json) + "]}");
  } catch (const Error& e) {
    throw Error(e.kind(), std::string("\"attempt\": ") + e.what());
  }
  if (attempts.size() != 1) throw Error(ErrorKind::invalid_input, "\"attempt\": expected one array of events");
  VerifyReport report = verify_attempts(verifier, user, attempts);
  report.verifier = verifier_name;
  if (!report.rows.front().ok)
    throw Error(ErrorKind::invalid_input, "\"attempt\" " + report.rows.front().reason + " (the verifier's phrase: \"" +
                                              verifier.phrase + "\")");
  return report;
}

}  // namespace ksauth::app
