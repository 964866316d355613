#pragma once
// The kind of the ksauth::Error a call throws, for tests that check how something fails.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/error.hpp"

namespace ksauth::testing {

// The kind of the Error f throws (and its message); a test failure when it throws none.
inline ErrorKind error_kind(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no Error thrown";
  return ErrorKind::io;
}

}  // namespace ksauth::testing
