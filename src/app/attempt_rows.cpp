#include "app/attempt_rows.hpp"

#include "core/error.hpp"
#include "features/vector.hpp"

namespace ksauth::app {

AttemptRows attempt_rows(const std::string& phrase, const std::vector<std::string>& feature_names,
                         std::span<const Attempt> attempts) {
  const auto layout = features::layout_from_names(phrase, feature_names);
  if (!layout) throw Error(ErrorKind::corrupt, "the stored features match no layout this ksauth computes");
  AttemptRows out;
  out.reason.resize(attempts.size());
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const features::Replay replay = features::replay(attempts[i]);
    if (auto v = features::extract(attempts[i], replay, *layout)) {
      out.x.append_row(*v);
      out.attempt.push_back(i);
    } else {
      out.reason[i] = replay.text != phrase ? "does not spell the phrase"
                                            : "has no release times (the model was trained with hold times)";
    }
  }
  return out;
}

}  // namespace ksauth::app
