#pragma once
// Verifiers' answers as text for people at a terminal: enrollment, the stored verifiers, verification.
#include <cstddef>
#include <string>
#include <vector>

#include "app/enroll.hpp"
#include "app/verifier_registry.hpp"
#include "app/verify.hpp"

namespace ksauth::cli {

std::string enroll_text(const app::EnrollReport& report, std::size_t first_n);
std::string verifiers_text(const std::vector<app::VerifierSummary>& verifiers);
std::string verify_text(const app::VerifyReport& report, std::size_t first_n);

}  // namespace ksauth::cli
