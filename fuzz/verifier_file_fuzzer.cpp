// Any bytes as a verifier file (verify/verifier.hpp), which must be refused with ksauth::Error unless whole.
// As for model files (model_file_fuzzer.cpp), the first byte chooses: odd, the rest is read as a whole
// file; even, the rest is sealed in a correct envelope first, so that the payload's own reading (family,
// users, thresholds, each detector's numbers, libsvm's support vectors, a classifier's model) meets the
// changes. A verifier that loads also scores one row for each of its first users.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/matrix.hpp"
#include "core/sealed_file.hpp"
#include "verify/verifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const std::string bytes =
        data[0] % 2 == 1 ? std::string(rest) : ksauth::seal(ksauth::verify::kVerifierFile, rest);
    const ksauth::verify::Verifier verifier = ksauth::verify::load_verifier(bytes);
    const std::size_t n = verifier.feature_names.size();
    if (n > 0 && n < 4096) {
      const ksauth::Matrix row(1, n, 0.5);
      for (std::size_t user = 0; user < std::min<std::size_t>(verifier.users.size(), 4); ++user)
        (void)verifier.scores(user, row);
    }
  } catch (const ksauth::Error&) {
  }
  return 0;
}
