#pragma once
// The one small interface every identification model implements (scikit-learn's estimator idea):
// parameters are plain data, fit and predict_proba are uniform, and a model saves itself to bytes that
// models/model_file wraps in a versioned, checksummed file.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/binary_io.hpp"
#include "core/matrix.hpp"
#include "core/params.hpp"
#include "core/progress.hpp"
#include "features/vector.hpp"

namespace ksauth::models {

struct FitOptions {
  std::uint64_t seed = 42;  // every random choice a model makes draws from this
  Progress progress;        // report("training", round, rounds) (a network: "epoch N: ...", epoch, epochs); throws when cancelled
  // Which feature columns make up each key of the attempt, for the models that read it as a sequence
  // (lstm); the others ignore it.
  std::vector<features::StepColumns> sequence;
};

class Classifier {
 public:
  virtual ~Classifier() = default;

  virtual std::string_view type() const = 0;
  // Every parameter with its value in force (defaults filled in).
  virtual Params params() const = 0;
  // The shape of the fitted model (0 before fit): model files check feature names and labels against it.
  virtual std::size_t n_features() const = 0;
  virtual int n_classes() const = 0;

  // x: one row per attempt; y: class index in [0, n_classes) per row.
  virtual void fit(const Matrix& x, std::span<const int> y, int n_classes, const FitOptions& options) = 0;
  // One row per attempt, one column per class, each row in [0,1] summing to 1.
  virtual Matrix predict_proba(const Matrix& x) const = 0;

  // One line on how the last fit went, where the model has something to say (e.g. early stopping); "".
  virtual std::string fit_summary() const { return {}; }

  virtual void save(BinaryWriter& out) const = 0;
  virtual void load(BinaryReader& in) = 0;  // throws Error(corrupt) on anything inconsistent
};

// The model types ksauth offers, in the order they are listed to users.
const std::vector<std::string>& classifier_types();
// Throws Error(invalid_input) for an unknown type, an unknown parameter name or a value out of range.
std::unique_ptr<Classifier> make_classifier(std::string_view type, const Params& params = {});

}  // namespace ksauth::models
