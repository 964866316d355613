#include "app/enroll.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "app/limits.hpp"
#include "core/error.hpp"
#include "core/timestamp.hpp"
#include "eval/split.hpp"
#include "models/classifier.hpp"

namespace ksauth::app {
namespace {

// A user's rates from its genuine and impostor scores, and the threshold the policy picks on its curve.
UserVerification rate_user(const std::string& user, std::span<const double> genuine, std::span<const double> impostor,
                           const ThresholdPolicy& policy, std::vector<eval::ErrorPoint>& curve) {
  curve = eval::error_curve(genuine, impostor);
  const eval::VerificationRates rates = eval::rates_from_curve(curve);
  double threshold = policy.target_fmr ? eval::point_at_fmr(curve, *policy.target_fmr).threshold : rates.eer_threshold;
  if (!std::isfinite(threshold)) {
    // Accept nothing the holdout saw: just above its highest score (a stored threshold is finite).
    double highest = -std::numeric_limits<double>::max();
    for (const double s : genuine) highest = std::max(highest, s);
    for (const double s : impostor) highest = std::max(highest, s);
    threshold = std::nextafter(highest, std::numeric_limits<double>::infinity());
  }
  UserVerification u;
  u.user = user;
  u.eer = rates.eer;
  u.zero_fmr = rates.zero_fmr;
  u.fmr100 = rates.fmr100;
  u.threshold = threshold;
  u.fmr = eval::false_match_rate(impostor, threshold);
  u.fnmr = eval::false_non_match_rate(genuine, threshold);
  u.n_genuine = genuine.size();
  u.n_impostor = impostor.size();
  return u;
}

double mean_of(const std::vector<UserVerification>& users, double UserVerification::*field) {
  double sum = 0;
  for (const auto& u : users) sum += u.*field;
  return sum / static_cast<double>(users.size());
}

}  // namespace

void check_enroll_request(const store::Store& store, const EnrollRequest& request) {
  check_verifier_name(request.name);
  const verify::Family family = verify::family_of(request.type, request.family);
  if (family == verify::Family::classifier) {
    models::make_classifier(request.type, request.params);
  } else if (!request.params.empty()) {
    throw Error(ErrorKind::invalid_input, "detector '" + request.type + "' takes no parameters, got '" +
                                              request.params.begin()->first + "'");
  }
  eval::check_holdout_fraction(request.holdout);
  if (request.policy.target_fmr && !(*request.policy.target_fmr >= 0 && *request.policy.target_fmr < 1))
    throw Error(ErrorKind::invalid_input, "the target FMR must be in [0, 1) (e.g. 0.01 for 1%)");
  if (!request.replace && store.get_verifier(request.name))
    throw Error(ErrorKind::conflict, "verifier '" + request.name +
                                         "' already exists: choose another name, or replace it (--replace; \"replace\": true)");
}

EnrollReport enroll(store::Store& store, const EnrollRequest& request, const Progress& progress) {
  check_enroll_request(store, request);
  const verify::Family family = verify::family_of(request.type, request.family);

  const LoadedData data = load_training_data(store, request.url, request.data, progress);
  const LabelledFeatures rows = labelled_features_of_users(
      data, request.url, "choosing thresholds needs other users' attempts as impostors, so at least 2");
  const eval::Split split = eval::stratified_holdout(rows.y, request.holdout, request.seed);
  const std::size_t n_users = rows.labels.size();
  std::vector<std::vector<std::size_t>> train_of(n_users);
  for (const std::size_t i : split.train) train_of[static_cast<std::size_t>(rows.y[i])].push_back(i);
  const Matrix x_holdout = rows.x.select_rows(split.holdout);
  std::vector<std::size_t> n_holdout_of(n_users, 0);
  for (const std::size_t i : split.holdout) ++n_holdout_of[static_cast<std::size_t>(rows.y[i])];

  verify::Verifier verifier;
  verifier.family = family;
  verifier.type = request.type;
  verifier.phrase = data.layout.phrase;
  verifier.feature_names = data.layout.names;

  EnrollReport report;
  const auto started = std::chrono::steady_clock::now();
  // Scores of every held-out attempt for each user: [user][holdout row].
  std::vector<std::vector<double>> scores(n_users);
  std::vector<bool> enrolled(n_users, false);
  if (family == verify::Family::classifier) {
    auto classifier = models::make_classifier(request.type, request.params);
    std::vector<int> y_train;
    for (const std::size_t i : split.train) y_train.push_back(rows.y[i]);
    classifier->fit(rows.x.select_rows(split.train), y_train, static_cast<int>(n_users),
                    {request.seed, progress, features::sequence_columns(data.layout)});
    report.fit_summary = classifier->fit_summary();
    progress.report("scoring", 0, 1);
    const Matrix proba = classifier->predict_proba(x_holdout);
    for (std::size_t u = 0; u < n_users; ++u) {
      enrolled[u] = n_holdout_of[u] > 0;
      if (!enrolled[u]) continue;
      for (std::size_t r = 0; r < proba.rows(); ++r) scores[u].push_back(proba.row(r)[u]);
    }
    verifier.model = {data.layout.phrase, data.layout.names, rows.labels, std::move(classifier)};
  } else {
    std::vector<std::unique_ptr<verify::Detector>> detectors(n_users);
    for (std::size_t u = 0; u < n_users; ++u) {
      progress.report("enrolling", u, n_users);
      enrolled[u] = train_of[u].size() >= 2 && n_holdout_of[u] > 0;
      if (!enrolled[u]) continue;
      detectors[u] = verify::make_detector(request.type);
      detectors[u]->enroll(rows.x.select_rows(train_of[u]));
      scores[u].reserve(x_holdout.rows());
      for (std::size_t r = 0; r < x_holdout.rows(); ++r) scores[u].push_back(detectors[u]->score(x_holdout.row(r)));
    }
    for (auto& d : detectors)
      if (d) verifier.detectors.push_back(std::move(d));
  }

  VerifierMetrics metrics;
  std::vector<std::vector<eval::ErrorPoint>> curves;
  for (std::size_t u = 0; u < n_users; ++u) {
    if (!enrolled[u]) {
      report.skipped.push_back(
          {rows.labels[u], n_holdout_of[u] == 0
                               ? "1 valid attempt: none left for the holdout that sets its threshold"
                               : std::to_string(train_of[u].size()) + " training attempt(s); a detector needs 2"});
      continue;
    }
    std::vector<double> genuine, impostor;
    for (std::size_t r = 0; r < split.holdout.size(); ++r)
      (rows.y[split.holdout[r]] == static_cast<int>(u) ? genuine : impostor).push_back(scores[u][r]);
    curves.emplace_back();
    metrics.users.push_back(rate_user(rows.labels[u], genuine, impostor, request.policy, curves.back()));
    verifier.users.push_back(rows.labels[u]);
    verifier.thresholds.push_back(metrics.users.back().threshold);
  }
  if (metrics.users.empty())
    throw Error(ErrorKind::invalid_input, request.url + ": no user could be enrolled (each needs 2 valid attempts "
                                                        "to enroll on and 1 held out)");
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const double n = static_cast<double>(metrics.users.size());
  metrics.eer_mean = mean_of(metrics.users, &UserVerification::eer);
  double squares = 0;
  for (const auto& u : metrics.users) squares += (u.eer - metrics.eer_mean) * (u.eer - metrics.eer_mean);
  metrics.eer_std = n > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  metrics.zero_fmr_mean = mean_of(metrics.users, &UserVerification::zero_fmr);
  metrics.fmr100_mean = mean_of(metrics.users, &UserVerification::fmr100);
  metrics.fmr_mean = mean_of(metrics.users, &UserVerification::fmr);
  metrics.fnmr_mean = mean_of(metrics.users, &UserVerification::fnmr);
  metrics.det = eval::mean_det(curves, eval::det_fmr_grid());

  const Params params = family == verify::Family::classifier ? verifier.model.classifier->params() : Params{};
  store::ModelRecord record;
  record.name = request.name;
  record.type = request.type;
  record.params_json = verifier_params_json(family, request.policy, params);
  record.dataset_id = data.dataset.id;
  record.holdout = request.holdout;
  record.seed = request.seed;
  record.metrics_json = to_json(metrics).dump();
  record.created_at = utc_now_iso();
  record.blob = verify::save_verifier(verifier);
  store.save_verifier(record, request.replace);

  report.dataset = data.dataset;
  report.failure = data.failure;
  report.from_store = data.from_store;
  report.phrase = data.validation.phrase;
  report.n_train = split.train.size();
  report.n_holdout = split.holdout.size();
  report.verifier = get_verifier_summary(store, request.name);
  return report;
}

}  // namespace ksauth::app
