#include "cli/verify_reports.hpp"

#include "cli/text_reports.hpp"
#include "cli/text_table.hpp"

namespace ksauth::cli {
namespace {

std::string policy_text(const app::ThresholdPolicy& policy) {
  return policy.target_fmr ? "at a target FMR of " + number(*policy.target_fmr) : std::string("at each user's EER");
}

}  // namespace

std::string enroll_text(const app::EnrollReport& r, std::size_t first_n) {
  const app::VerifierSummary& v = r.verifier;
  const app::VerifierMetrics& m = v.metrics;
  std::string out = loaded_text(r.dataset, r.from_store, r.phrase);
  out += "Enrolled " + grouped(m.users.size()) + " users in " + v.family + " verifier '" + v.record.name + "' (" +
         v.record.type + ") on " + grouped(r.n_train) + " attempts in " + fixed(r.seconds, 2) + " s\n";
  if (!v.params.empty()) out += "Parameters: " + params_text(v.params) + "\n";
  if (!r.fit_summary.empty()) out += "Training: " + r.fit_summary + "\n";
  for (const auto& s : r.skipped) out += "Not enrolled: " + printable(s.user) + " (" + s.reason + ")\n";
  out += "Holdout (" + grouped(r.n_holdout) + " attempts, " + fixed(v.record.holdout, 2) +
         " of each user's): each user's own as genuine, every other user's as impostors; thresholds " +
         policy_text(v.policy) + "\n";
  TextTable summary({"EER mean", "EER std", "ZeroFMR", "FMR100", "FMR at threshold", "FNMR at threshold"});
  summary.add({fixed(m.eer_mean), fixed(m.eer_std), fixed(m.zero_fmr_mean), fixed(m.fmr100_mean), fixed(m.fmr_mean),
               fixed(m.fnmr_mean)});
  out += summary.render();
  out += "\nPer user (first " + grouped(std::min(first_n, m.users.size())) + " of " + grouped(m.users.size()) + "):\n";
  TextTable users({"user", "EER", "ZeroFMR", "FMR100", "threshold", "FMR", "FNMR", "genuine", "impostors"});
  for (std::size_t i = 0; i < m.users.size() && i < first_n; ++i) {
    const auto& u = m.users[i];
    users.add({u.user, fixed(u.eer), fixed(u.zero_fmr), fixed(u.fmr100), number(u.threshold), fixed(u.fmr),
               fixed(u.fnmr), grouped(u.n_genuine), grouped(u.n_impostor)});
  }
  out += users.render();
  return out;
}

std::string verifiers_text(const std::vector<app::VerifierSummary>& verifiers) {
  if (verifiers.empty())
    return "No verifiers yet: enroll users with `ksauth enroll URL --type scaled_manhattan --name NAME`.\n";
  TextTable table({"name", "type", "family", "data set", "users", "EER mean", "EER std", "ZeroFMR", "FMR100",
                   "thresholds", "created at"});
  for (const auto& v : verifiers)
    table.add({v.record.name, v.record.type, v.family, "#" + std::to_string(v.record.dataset_id),
               grouped(v.metrics.users.size()), fixed(v.metrics.eer_mean), fixed(v.metrics.eer_std),
               fixed(v.metrics.zero_fmr_mean), fixed(v.metrics.fmr100_mean),
               v.policy.target_fmr ? "FMR " + number(*v.policy.target_fmr) : "EER", v.record.created_at.substr(0, 19)});
  return table.render();
}

std::string verify_text(const app::VerifyReport& r, std::size_t first_n) {
  std::string out = "Verifier '" + r.verifier + "' (" + r.type + "), claimed user " + printable(r.user) +
                    ", threshold " + number(r.threshold) + ": " + grouped(r.rows.size()) + " attempts, " +
                    grouped(r.n_ok) + " scored, " + grouped(r.n_accepted) + " accepted, " +
                    grouped(r.n_ok - r.n_accepted) + " rejected, " + grouped(r.rows.size() - r.n_ok) + " invalid\n";
  TextTable table({"attempt", "status", "decision", "score"});
  for (std::size_t i = 0; i < r.rows.size() && i < first_n; ++i) {
    const auto& row = r.rows[i];
    table.add({std::to_string(row.attempt), row.ok ? "ok" : "invalid",
               row.ok ? (row.accept ? "accept" : "reject") : row.reason, row.ok ? number(row.score) : ""});
  }
  out += table.render();
  if (r.rows.size() > first_n) out += "(" + grouped(r.rows.size() - first_n) + " more rows: --first-n)\n";
  return out;
}

}  // namespace ksauth::cli
