#include "core/progress.hpp"

#include "core/error.hpp"

namespace ksauth {

void Progress::report(std::string_view step, std::size_t done, std::size_t total) const {
  throw_if_cancelled();
  if (callback_) callback_(step, done, total);
}

void Progress::throw_if_cancelled() const {
  if (cancelled()) throw Error(ErrorKind::cancelled, "cancelled");
}

}  // namespace ksauth
