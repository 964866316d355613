#pragma once
// Checks and messages shared by the models (internal to models/).
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/matrix.hpp"
#include "core/params.hpp"

namespace ksauth::models::detail {

// Throws Error(invalid_input) unless x has rows and columns, every value is finite, y has one class in
// [0, n_classes) per row and n_classes >= 1. `model` names the model in the message.
void check_fit_input(std::string_view model, const Matrix& x, std::span<const int> y, int n_classes);
// Throws Error(invalid_input) when the model is not fitted, x has another width, or a value is not finite.
void check_predict_input(std::string_view model, const Matrix& x, std::size_t n_features);

// One parameter a model accepts: its default and the values allowed, [low, high] (or (low, high] when
// low_exclusive; high may be infinity, meaning any finite number).
struct ParamRange {
  std::string name;
  double default_value;
  double low;
  double high;
  bool integer = false;
  bool low_exclusive = false;
};
// Every parameter of `ranges` with its value in force: the given ones checked, the others at their
// defaults. Error(invalid_input) names an unknown parameter (listing the accepted ones) or a value out
// of its range: "adaboost: parameter 'max_depth' must be an integer in [1, 32] (got 0)".
Params resolve_params(std::string_view model, const std::vector<ParamRange>& ranges, const Params& given);

// A parameter value as a user typed it: 200, 0.5, 1e-09.
std::string format_number(double v);

}  // namespace ksauth::models::detail
