#pragma once
// One feature vector per valid attempt, aligned to the phrase positions of the keys that survive replay:
// per position i (0-based): H.i = hold (release - press of key i), and for i >= 1 DD.i = press-to-press
// latency from key i-1, UD.i = release of key i-1 to press of key i; then backspaces (count) and
// duration (first press to last press of the whole attempt, corrections included). Seconds.
// Hold and UD exist only when the layout has release times.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/attempt.hpp"
#include "core/matrix.hpp"
#include "features/replay.hpp"

namespace ksauth::features {

struct FeatureLayout {
  std::string phrase;
  bool with_release = false;
  std::vector<std::string> names;

  bool operator==(const FeatureLayout&) const = default;
};

FeatureLayout make_layout(const std::string& phrase, bool with_release);
// The attempt as a sequence over the phrase positions, which is what a recurrent model reads: for each
// position, the columns of its hold, press-to-press and release-to-press latency in the feature vector;
// -1 where the layout has none (the first position has no latencies, a layout without release times no
// hold and no UD).
struct StepColumns {
  int hold = -1;
  int press_latency = -1;
  int release_latency = -1;
  bool operator==(const StepColumns&) const = default;
};
std::vector<StepColumns> sequence_columns(const FeatureLayout& layout);

// The layout of a stored model, from its phrase and feature names; nullopt when they match no layout.
std::optional<FeatureLayout> layout_from_names(const std::string& phrase, const std::vector<std::string>& names);

// Whether every kept key of the attempt has a release time (so hold and UD can be computed).
bool has_release_times(const Attempt& attempt, const Replay& replay);

// The attempt's values in the order of make_layout(replay.text, with_release), appended to `out`; the attempt
// has events, and release times on its kept keys when with_release (not checked here).
void append_values(const Attempt& attempt, const Replay& replay, bool with_release, std::vector<double>& out);

// nullopt when the attempt does not spell the layout's phrase, or the layout needs release times it lacks.
std::optional<std::vector<double>> extract(const Attempt& attempt, const Replay& replay, const FeatureLayout& layout);

}  // namespace ksauth::features
