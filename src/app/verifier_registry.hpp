#pragma once
// Verifiers as stored (store::Store's verifiers table): their enrollment settings and verification rates,
// list, look up, delete, and open one to verify with.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/params.hpp"
#include "eval/verification.hpp"
#include "store/store.hpp"
#include "verify/verifier.hpp"

namespace ksauth::app {

// One enrolled user's rates on the enrollment holdout: its own held-out attempts are the genuine ones, every
// other user's held-out attempts the impostors.
struct UserVerification {
  std::string user;
  double eer = 0;
  double zero_fmr = 0;
  double fmr100 = 0;
  double threshold = 0;  // chosen at enrollment: accept when score >= threshold
  double fmr = 0;        // at the threshold
  double fnmr = 0;       // at the threshold
  std::size_t n_genuine = 0;
  std::size_t n_impostor = 0;
};

struct VerifierMetrics {
  double eer_mean = 0, eer_std = 0;  // over users; std divides by n - 1 (0 for one user)
  double zero_fmr_mean = 0;
  double fmr100_mean = 0;
  double fmr_mean = 0, fnmr_mean = 0;  // at the chosen thresholds
  std::vector<UserVerification> users;
  std::vector<eval::DetPoint> det;  // the users' DET curves averaged (eval::mean_det on eval::det_fmr_grid)
};

nlohmann::json to_json(const VerifierMetrics& metrics);
VerifierMetrics verifier_metrics_from_json(const nlohmann::json& j);  // Error(corrupt) when malformed

// How the per-user thresholds were chosen: at each user's EER, or at a target FMR.
struct ThresholdPolicy {
  std::optional<double> target_fmr;  // unset: at the EER
};

struct VerifierSummary {
  store::ModelRecord record;  // without the blob; record.type is the detector's or classifier's type
  std::string family;         // "detector" or "classifier"
  Params params;              // the classifier's parameters (classifier family), else empty
  ThresholdPolicy policy;
  VerifierMetrics metrics;
  std::string dataset_source;
};

// The record's params column: {"family": ..., "target_fmr": x | null, "params": {...}}.
std::string verifier_params_json(verify::Family family, const ThresholdPolicy& policy, const Params& params);

std::vector<VerifierSummary> list_verifiers(const store::Store& store);
VerifierSummary get_verifier_summary(const store::Store& store, const std::string& name);  // Error(not_found)
void delete_verifier(store::Store& store, const std::string& name);                        // Error(not_found)
// The stored verifier, loaded and checked (Error(not_found) / Error(corrupt)).
verify::Verifier open_verifier(const store::Store& store, const std::string& name);

}  // namespace ksauth::app
