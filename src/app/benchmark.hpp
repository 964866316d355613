#pragma once
// Use case: the CMU keystroke benchmark with Killourhy & Maxion's protocol (DSN 2009), for every detector
// of verify/. Per subject: enroll on its first 200 repetitions (sessions 1-4), score its last 200
// (sessions 5-8) as genuine and the first 5 repetitions (session 1) of each other subject as impostors;
// EER (and ZeroFMR, FMR100) per subject, then mean and standard deviation over the subjects.
// Features: the 31 published timings of each attempt (timing_features).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/attempt.hpp"
#include "core/progress.hpp"
#include "ingest/source_policy.hpp"

namespace ksauth::app {

struct SubjectRates {
  std::string subject;
  double eer = 0;
  double zero_fmr = 0;
  double fmr100 = 0;
};

struct DetectorBenchmark {
  std::string detector;
  double eer_mean = 0, eer_std = 0;  // the standard deviation over subjects divides by n - 1, like R's sd
  double zero_fmr_mean = 0, zero_fmr_std = 0;
  double fmr100_mean = 0;
  std::optional<double> paper_eer_mean, paper_eer_std;  // Killourhy & Maxion's Table 2
  std::vector<SubjectRates> subjects;
};

struct BenchmarkReport {
  std::string source;
  std::size_t n_subjects = 0;
  std::size_t n_features = 0;
  std::size_t n_enroll = 0, n_genuine = 0, n_impostor = 0;  // attempts per subject
  std::vector<DetectorBenchmark> detectors;                  // in the paper's order
  double seconds = 0;
};

// The CSV named by $KSAUTH_DATA_DIR/cmu-dsl2009/DSL-StrongPasswordData.csv, else
// ../shared/data/cmu-dsl2009/DSL-StrongPasswordData.csv.
std::string default_cmu_csv();

// Per key event in order: H (release - press), then to the next event DD (press to press) and
// UD (release to press); seconds. For the CMU phrase with Return: H.period, DD.period.t, UD.period.t, H.t,
// ..., H.Return (31 values, the CSV's column order). Error(invalid_input) when an event lacks a release time.
std::vector<double> timing_features(const Attempt& attempt);

// `url`: the CMU CSV (or any source whose attempts carry sessions and repetitions, 400 per subject).
// Error(invalid_input) naming the subject when the data does not fit the protocol.
BenchmarkReport benchmark_cmu(const std::string& url, const ingest::SourcePolicy& sources, const Progress& progress = {});

nlohmann::json to_json(const BenchmarkReport& report);
// Our table beside the paper's, as text.
std::string benchmark_text(const BenchmarkReport& report);

}  // namespace ksauth::app
