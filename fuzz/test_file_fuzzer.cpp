// Any bytes as a test file (the body of a prediction request): parsed by ingest/pages.hpp, which may
// only throw ksauth::Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "ingest/pages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)ksauth::ingest::parse_test_file(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const ksauth::Error&) {
  }
  return 0;
}
