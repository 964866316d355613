#pragma once
// A dense row-major matrix of doubles: feature vectors (one row per attempt) and class scores.
#include <cstddef>
#include <span>
#include <vector>

namespace ksauth {

class Matrix {
 public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols, double fill = 0.0) : rows_(rows), cols_(cols), data_(rows * cols, fill) {}
  // Takes row-major values; throws std::invalid_argument unless values.size() == rows * cols.
  Matrix(std::size_t rows, std::size_t cols, std::vector<double>&& values);

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  double& operator()(std::size_t r, std::size_t c) { return data_[r * cols_ + c]; }
  double operator()(std::size_t r, std::size_t c) const { return data_[r * cols_ + c]; }
  std::span<double> row(std::size_t r) { return {data_.data() + r * cols_, cols_}; }
  std::span<const double> row(std::size_t r) const { return {data_.data() + r * cols_, cols_}; }
  const std::vector<double>& data() const { return data_; }

  void append_row(std::span<const double> values);  // the first row sets the width
  Matrix select_rows(std::span<const std::size_t> indices) const;

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<double> data_;
};

}  // namespace ksauth
