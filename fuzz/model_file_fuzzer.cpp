// Any bytes as a model file (models/model_file.hpp), which must be refused with ksauth::Error unless whole.
// A random change almost never keeps the envelope's CRC-32 right, so the first byte chooses: odd, the rest
// is read as a whole file (the envelope's checks); even, the rest is sealed in a correct envelope first, so
// that the payload's own reading (types, params, labels, each classifier's numbers) meets the changes.
// A model that loads is also asked to predict one row.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/matrix.hpp"
#include "core/sealed_file.hpp"
#include "models/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const std::string bytes =
        data[0] % 2 == 1 ? std::string(rest) : ksauth::seal(ksauth::models::kModelFile, rest);
    const ksauth::models::TrainedModel model = ksauth::models::load_model(bytes);
    const std::size_t n = model.classifier->n_features();
    if (n > 0 && n < 4096) (void)model.classifier->predict_proba(ksauth::Matrix(1, n, 0.5));
  } catch (const ksauth::Error&) {
  }
  return 0;
}
