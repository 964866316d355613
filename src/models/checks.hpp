#pragma once
// Checks and messages shared by the models (internal to models/).
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/matrix.hpp"

namespace ksauth::models::detail {

// Throws Error(invalid_input) unless x has rows and columns, every value is finite, y has one class in
// [0, n_classes) per row and n_classes >= 1. `model` names the model in the message.
void check_fit_input(std::string_view model, const Matrix& x, std::span<const int> y, int n_classes);
// Throws Error(invalid_input) when the model is not fitted, x has another width, or a value is not finite.
void check_predict_input(std::string_view model, const Matrix& x, std::size_t n_features);

// A parameter value as a user typed it: 200, 0.5, 1e-09.
std::string format_number(double v);

}  // namespace ksauth::models::detail
