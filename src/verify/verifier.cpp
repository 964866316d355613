#include "verify/verifier.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "core/sealed_file.hpp"
#include "core/text.hpp"

namespace ksauth::verify {
namespace {

[[noreturn]] void corrupt(const std::string& what) { throw Error(ErrorKind::corrupt, "verifier file: " + what); }

bool is_detector_type(std::string_view type) {
  return std::find(detector_types().begin(), detector_types().end(), type) != detector_types().end();
}

// The rules a verifier follows, checked when saving (invalid_input) and loading (corrupt): "" when they hold.
std::string content_problem(const Verifier& v) {
  if (v.users.empty()) return "no enrolled user";
  if (v.thresholds.size() != v.users.size())
    return std::to_string(v.thresholds.size()) + " thresholds for " + std::to_string(v.users.size()) + " users";
  for (const double t : v.thresholds)
    if (!std::isfinite(t)) return "a threshold is not a finite number";
  if (std::set<std::string>(v.users.begin(), v.users.end()).size() != v.users.size()) return "duplicate users";
  for (const std::string& u : v.users)
    if (!is_valid_utf8(u) || has_control(u)) return "a user label is not plain text: " + printable(u, 64);
  if (v.feature_names.empty()) return "no features";
  if (v.family == Family::detector) {
    if (v.detectors.size() != v.users.size())
      return std::to_string(v.detectors.size()) + " detectors for " + std::to_string(v.users.size()) + " users";
    for (const auto& d : v.detectors) {
      if (!d || d->type() != v.type) return "a detector is not of type " + v.type;
      if (d->n_features() != v.feature_names.size()) return "a detector is not enrolled on the verifier's features";
    }
  } else {
    if (!v.model.classifier || v.model.classifier->type() != v.type) return "no classifier of type " + v.type;
    if (v.model.feature_names != v.feature_names || v.model.phrase != v.phrase)
      return "the classifier's features differ from the verifier's";
    for (const std::string& u : v.users)
      if (std::find(v.model.labels.begin(), v.model.labels.end(), u) == v.model.labels.end())
        return "user " + printable(u, 64) + " is not one of the classifier's labels";
  }
  return {};
}

}  // namespace

std::string_view family_name(Family family) { return family == Family::detector ? "detector" : "classifier"; }

Family family_named(std::string_view name) {
  if (name == "detector") return Family::detector;
  if (name == "classifier") return Family::classifier;
  throw Error(ErrorKind::invalid_input,
              "unknown verifier family '" + printable(name, 64) + "' (detector or classifier)");
}

Family family_of(std::string_view type, std::optional<Family> wanted) {
  const auto& classifiers = models::classifier_types();
  const bool detector = is_detector_type(type);
  const bool classifier = std::find(classifiers.begin(), classifiers.end(), type) != classifiers.end();
  const auto list = [](const std::vector<std::string>& types) {
    std::string out;
    for (const auto& t : types) out += (out.empty() ? "" : ", ") + t;
    return out;
  };
  if (wanted == Family::detector && !detector)
    throw Error(ErrorKind::invalid_input, "'" + printable(type, 64) + "' is not a detector (detectors: " +
                                              list(detector_types()) + ")");
  if (wanted == Family::classifier && !classifier)
    throw Error(ErrorKind::invalid_input, "'" + printable(type, 64) + "' is not a model type (models: " +
                                              list(classifiers) + ")");
  if (wanted) return *wanted;
  if (detector) return Family::detector;
  if (classifier) return Family::classifier;
  throw Error(ErrorKind::invalid_input, "unknown verifier type '" + printable(type, 64) + "' (detectors: " +
                                            list(detector_types()) + "; models: " + list(classifiers) + ")");
}

std::size_t Verifier::user_index(std::string_view user) const {
  const auto it = std::find(users.begin(), users.end(), user);
  if (it != users.end()) return static_cast<std::size_t>(it - users.begin());
  std::string some;
  for (std::size_t i = 0; i < users.size() && i < 5; ++i) some += (i ? ", " : "") + printable(users[i], 64);
  if (users.size() > 5) some += ", ...";
  throw Error(ErrorKind::not_found, "user '" + printable(user, 64) + "' is not enrolled in this verifier (" +
                                        std::to_string(users.size()) + " users: " + some + ")");
}

std::vector<double> Verifier::scores(std::size_t user, const Matrix& rows) const {
  if (user >= users.size()) throw Error(ErrorKind::invalid_input, "no enrolled user " + std::to_string(user));
  std::vector<double> out;
  out.reserve(rows.rows());
  if (family == Family::detector) {
    for (std::size_t r = 0; r < rows.rows(); ++r) out.push_back(detectors[user]->score(rows.row(r)));
    return out;
  }
  const auto label = std::find(model.labels.begin(), model.labels.end(), users[user]) - model.labels.begin();
  const Matrix proba = model.classifier->predict_proba(rows);
  for (std::size_t r = 0; r < proba.rows(); ++r) out.push_back(proba.row(r)[static_cast<std::size_t>(label)]);
  return out;
}

std::string save_verifier(const Verifier& verifier) {
  if (const std::string problem = content_problem(verifier); !problem.empty())
    throw Error(ErrorKind::invalid_input, "verifier file: " + problem);
  BinaryWriter payload;
  payload.u8(static_cast<std::uint8_t>(verifier.family));
  payload.str(verifier.type);
  payload.str(verifier.phrase);
  payload.strs(verifier.feature_names);
  payload.strs(verifier.users);
  payload.f64s(verifier.thresholds);
  if (verifier.family == Family::detector) {
    for (const auto& detector : verifier.detectors) {
      BinaryWriter one;
      detector->save(one);
      payload.str(one.bytes());
    }
  } else {
    payload.str(models::save_model(verifier.model));
  }
  return seal(kVerifierFile, payload.bytes());
}

Verifier load_verifier(std::string_view bytes) {
  const std::string_view payload = unseal(kVerifierFile, bytes).payload;
  Verifier v;
  try {
    BinaryReader in(payload);
    const std::uint8_t family = in.u8();
    if (family > 1) corrupt("unknown family " + std::to_string(family));
    v.family = static_cast<Family>(family);
    v.type = in.str();
    const bool known = v.family == Family::detector
                           ? is_detector_type(v.type)
                           : std::find(models::classifier_types().begin(), models::classifier_types().end(),
                                       v.type) != models::classifier_types().end();
    if (!known) corrupt("unknown " + std::string(family_name(v.family)) + " type '" + printable(v.type, 64) + "'");
    v.phrase = in.str();
    v.feature_names = in.strs();
    v.users = in.strs();
    v.thresholds = in.f64s();
    if (v.family == Family::detector) {
      if (v.users.size() > in.remaining() / 8) corrupt("more users than detectors");
      for (std::size_t i = 0; i < v.users.size(); ++i) {
        const std::string bytes_of_one = in.str();
        BinaryReader one(bytes_of_one);
        auto detector = make_detector(v.type);
        detector->load(one);
        if (!one.at_end()) corrupt("unexpected bytes after a detector");
        v.detectors.push_back(std::move(detector));
      }
    } else {
      v.model = models::load_model(in.str());
    }
    if (!in.at_end()) corrupt(std::to_string(in.remaining()) + " unexpected bytes after the verifier");
    if (const std::string problem = content_problem(v); !problem.empty()) corrupt(problem);
  } catch (const Error& e) {
    if (passes_through_loading(e.kind())) throw;
    corrupt(e.what());
  }
  return v;
}

}  // namespace ksauth::verify
