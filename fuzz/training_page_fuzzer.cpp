// Any bytes as a training page: parsed (ingest/pages.hpp), and what parses is replayed and turned into
// features as training does (features/collector.hpp). Errors are ksauth::Error; anything else (a crash,
// a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "features/collector.hpp"
#include "ingest/pages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const ksauth::ingest::TrainingPage page = ksauth::ingest::parse_training_page(bytes);
    ksauth::features::FeatureCollector collector;
    for (const ksauth::Attempt& attempt : page.attempts) collector.add(attempt);
    (void)std::move(collector).finish(std::nullopt, 1);
  } catch (const ksauth::Error&) {
  }
  return 0;
}
