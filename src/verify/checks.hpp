#pragma once
// The checks every detector makes on its input and on its saved bytes.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "core/binary_io.hpp"
#include "core/matrix.hpp"

namespace ksauth::verify::detail {

void check_enroll_input(std::string_view detector, const Matrix& genuine);
void check_score_input(std::string_view detector, std::span<const double> row, std::size_t n_features);

// Per feature: the mean over the rows.
std::vector<double> column_means(const Matrix& rows);

// n finite doubles (each > 0 when `positive`), else Error(corrupt) naming the detector.
std::vector<double> read_values(BinaryReader& in, std::size_t n, std::string_view detector, bool positive = false);
// A feature count from 1 to 2^20, else Error(corrupt).
std::size_t read_feature_count(BinaryReader& in, std::string_view detector);

}  // namespace ksauth::verify::detail
