#pragma once
// A deployed verifier: "is this attempt really user X?". For each enrolled user, a score of an attempt's
// feature vector (higher = more genuine) and the threshold chosen at enrollment; the attempt is accepted
// when score >= threshold. Two families score differently:
//   detector   - one verify::Detector per user, enrolled on that user's genuine attempts only;
//   classifier - one identification model over every user (models/); the score is its probability of the
//                claimed user.
// Saved in ksauth's own checked envelope (core/sealed_file, magic "KSAUTHVERIF\0"); loading reads only
// numbers and strings, and anything inconsistent is Error(corrupt).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/matrix.hpp"
#include "core/sealed_file.hpp"
#include "models/model_file.hpp"
#include "verify/detector.hpp"

namespace ksauth::verify {

inline constexpr std::uint32_t kVerifierFormatVersion = 1;
inline constexpr FileKind kVerifierFile{std::string_view("KSAUTHVERIF\0", 12), kVerifierFormatVersion,
                                        "verifier file"};

enum class Family { detector, classifier };
std::string_view family_name(Family family);
// "detector" or "classifier" (Error(invalid_input) for anything else).
Family family_named(std::string_view name);
// Which family a type is of. A name can be both (manhattan: K&M's detector, and our classifier): `wanted`
// chooses, else the detector. Error(invalid_input) when the type is of neither family (or not of `wanted`).
Family family_of(std::string_view type, std::optional<Family> wanted = std::nullopt);

struct Verifier {
  Family family = Family::detector;
  std::string type;  // the detector's or the classifier's type
  std::string phrase;
  std::vector<std::string> feature_names;
  std::vector<std::string> users;   // enrolled users
  std::vector<double> thresholds;   // per user, finite
  std::vector<std::unique_ptr<Detector>> detectors;  // detector family: per user
  models::TrainedModel model;                        // classifier family: its labels include every user

  // The index of an enrolled user; Error(not_found) naming the verifier's users when there is none.
  std::size_t user_index(std::string_view user) const;
  // The user's score of each row (one row per attempt, the feature_names' layout).
  std::vector<double> scores(std::size_t user, const Matrix& rows) const;
};

std::string save_verifier(const Verifier& verifier);  // Error(invalid_input) when inconsistent
Verifier load_verifier(std::string_view bytes);        // Error(corrupt); Error(io) when a model needs a plugin

}  // namespace ksauth::verify
