#include "core/matrix.hpp"

#include <stdexcept>

namespace ksauth {

Matrix::Matrix(std::size_t rows, std::size_t cols, std::vector<double>&& values)
    : rows_(rows), cols_(cols), data_(std::move(values)) {
  if (data_.size() != rows * cols) throw std::invalid_argument("Matrix: values are not rows * cols");
}

void Matrix::append_row(std::span<const double> values) {
  if (rows_ == 0 && cols_ == 0) cols_ = values.size();
  if (values.size() != cols_) throw std::invalid_argument("Matrix::append_row: row width differs");
  data_.insert(data_.end(), values.begin(), values.end());
  ++rows_;
}

Matrix Matrix::select_rows(std::span<const std::size_t> indices) const {
  Matrix out(indices.size(), cols_);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const auto src = row(indices[i]);
    std::copy(src.begin(), src.end(), out.row(i).begin());
  }
  return out;
}

}  // namespace ksauth
