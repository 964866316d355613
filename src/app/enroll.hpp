#pragma once
// Use case: enroll every user of a training source in a verifier and store it. Each user's valid attempts
// are split (stratified holdout); a detector enrolls on the user's training part only (or one classifier is
// fitted on every user's training part); then each user's held-out attempts are scored as genuine and every
// other user's held-out attempts as impostors, which gives the user's EER, ZeroFMR, FMR100 and DET curve and
// the threshold the deployed verifier uses: at the user's EER, or at a target FMR.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/data_set.hpp"
#include "app/verifier_registry.hpp"
#include "core/params.hpp"

namespace ksauth::app {

struct EnrollRequest {
  std::string url;
  std::string type;  // a detector type (verify/detector.hpp) or a classifier type (models/classifier.hpp)
  std::optional<verify::Family> family;  // which, when a name is both (manhattan); unset: the detector
  std::string name;
  Params params;            // the classifier's parameters; detectors take none
  double holdout = 0.2;     // fraction of each user's valid attempts held out to choose thresholds, in (0,1)
  std::uint64_t seed = 42;  // the split and the classifier's random choices
  ThresholdPolicy policy;   // target FMR in [0,1), or the EER
  bool replace = false;
  DataOptions data;
};

struct SkippedUser {
  std::string user;
  std::string reason;
};

struct EnrollReport {
  store::DataSetRecord dataset;
  std::optional<ingest::PageFailure> failure;
  bool from_store = false;
  features::PhraseChoice phrase;
  VerifierSummary verifier;  // as stored
  std::vector<SkippedUser> skipped;
  std::size_t n_train = 0;
  std::size_t n_holdout = 0;
  double seconds = 0;       // enrolling and scoring
  std::string fit_summary;  // the classifier's line on its fit, if it has one
};

// What enroll() checks before any download: name, type, parameters, holdout, target FMR, and that the name
// is free unless replace. Error(invalid_input) / Error(conflict).
void check_enroll_request(const store::Store& store, const EnrollRequest& request);
EnrollReport enroll(store::Store& store, const EnrollRequest& request, const Progress& progress = {});

}  // namespace ksauth::app
