#include "core/error.hpp"

namespace ksauth {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return "invalid input";
    case ErrorKind::not_found: return "not found";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::corrupt: return "corrupt";
    case ErrorKind::io: return "i/o error";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::forbidden: return "forbidden";
    case ErrorKind::unavailable: return "unavailable";
  }
  return "error";
}

void rethrow_as_corrupt(const std::string& thing, const std::string& why) {
  try {
    throw;
  } catch (const Error& e) {
    throw Error(ErrorKind::corrupt, thing + ": " + why + " (" + e.what() + ")");
  } catch (...) {
    throw Error(ErrorKind::corrupt, thing + ": " + why + " (not the data ksauth writes)");
  }
}

}  // namespace ksauth
