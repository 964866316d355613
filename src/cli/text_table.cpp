#include "cli/text_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ksauth::cli {
namespace {

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool looks_numeric(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ',' || c == '%';
  });
}

}  // namespace

std::string TextTable::render() const {
  std::vector<std::size_t> width(header_.size(), 0);
  std::vector<std::vector<std::string>> cells;
  cells.push_back({});
  for (const auto& h : header_) cells.back().push_back(printable(h));
  for (const auto& row : rows_) {
    cells.push_back({});
    for (std::size_t c = 0; c < header_.size(); ++c) cells.back().push_back(c < row.size() ? printable(row[c]) : "");
  }
  std::vector<bool> numeric(header_.size(), !rows_.empty());  // right-aligned, header included
  for (std::size_t r = 0; r < cells.size(); ++r)
    for (std::size_t c = 0; c < cells[r].size(); ++c) {
      width[c] = std::max(width[c], display_width(cells[r][c]));
      if (r > 0 && !cells[r][c].empty() && !looks_numeric(cells[r][c])) numeric[c] = false;
    }
  std::string out;
  for (std::size_t r = 0; r < cells.size(); ++r) {
    std::string line;
    for (std::size_t c = 0; c < cells[r].size(); ++c) {
      const std::string& cell = cells[r][c];
      const std::string pad(width[c] - display_width(cell), ' ');
      if (c > 0) line += "  ";
      line += numeric[c] ? pad + cell : cell + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

std::string fixed(double value, int digits) {
  if (std::isnan(value)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string number(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

std::string grouped(std::size_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace ksauth::cli
