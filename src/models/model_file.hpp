#pragma once
// ksauth's own model file: everything needed to predict from raw attempts, in a versioned, checksummed
// binary format. Loading only reads numbers and strings (never executes anything), and a corrupted,
// truncated, foreign or newer-version file is refused with Error(corrupt) saying why.
//
// The envelope is core/sealed_file's, with the magic "KSAUTHMODEL\0".
// Payload: type, params, phrase, feature names, labels, then the classifier's own bytes.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/sealed_file.hpp"
#include "models/classifier.hpp"

namespace ksauth::models {

inline constexpr std::uint32_t kModelFormatVersion = 1;
inline constexpr FileKind kModelFile{std::string_view("KSAUTHMODEL\0", 12), kModelFormatVersion, "model file"};

struct TrainedModel {
  std::string phrase;                      // the phrase the features are aligned to
  std::vector<std::string> feature_names;  // the layout the classifier was fitted on
  std::vector<std::string> labels;         // class index -> user label
  std::unique_ptr<Classifier> classifier;
};

std::string save_model(const TrainedModel& model);
TrainedModel load_model(std::string_view bytes);

}  // namespace ksauth::models
