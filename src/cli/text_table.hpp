#pragma once
// Plain-text tables for the terminal: aligned columns, numbers to the right, control characters made
// visible so that data can never drive the terminal.
#include <string>
#include <vector>

#include "core/text.hpp"

namespace ksauth::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

std::string fixed(double value, int digits = 4);
std::string number(double value);   // shortest of up to 6 significant digits: 200, 0.5
std::string grouped(std::size_t n);  // 15300 -> "15,300"

}  // namespace ksauth::cli
