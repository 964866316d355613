// Any bytes as the CMU benchmark CSV (ingest/cmu_csv.hpp), which may only throw ksauth::Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "ingest/cmu_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    (void)ksauth::ingest::is_cmu_csv("data.csv", bytes);
    (void)ksauth::ingest::parse_cmu_csv(bytes);
  } catch (const ksauth::Error&) {
  }
  return 0;
}
