#pragma once
// The rows a benchmark trained and scored on, written as CSV for the Python reference to read the very
// same ones: `part,label,<feature names>`, one line per row, values to 17 significant digits (exact).
#include <fstream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "app/data_set.hpp"
#include "core/error.hpp"

namespace ksauth::bench {

struct RowsPart {
  const char* name;                    // "train", "validation", "holdout"
  std::vector<std::size_t> rows;       // indices into the features, in order
};

inline void write_rows_csv(const std::string& path, const std::vector<std::string>& names,
                           const app::LabelledFeatures& features, std::span<const RowsPart> parts) {
  std::ofstream out(path);
  out << "part,label";
  for (const std::string& name : names) out << ',' << name;
  out << '\n';
  out.precision(17);
  for (const RowsPart& part : parts)
    for (std::size_t r : part.rows) {
      out << part.name << ',' << features.y[r];
      for (double v : features.x.row(r)) out << ',' << v;
      out << '\n';
    }
  if (!out) throw Error(ErrorKind::io, path + ": could not write the rows");
}

}  // namespace ksauth::bench
