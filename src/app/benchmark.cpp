#include "app/benchmark.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/matrix.hpp"
#include "core/text.hpp"
#include "eval/verification.hpp"
#include "ingest/pages.hpp"
#include "verify/detector.hpp"

namespace ksauth::app {
namespace {

constexpr std::size_t kEnroll = 200;          // sessions 1-4
constexpr std::size_t kGenuine = 200;         // sessions 5-8
constexpr std::size_t kImpostorPerOther = 5;  // session 1 of every other subject

struct Published {
  const char* detector;
  double mean, std;
};
// Killourhy & Maxion (DSN 2009), Table 2: mean (standard deviation) EER over the 51 subjects.
constexpr Published kPaper[] = {
    {"scaled_manhattan", 0.0962, 0.0694}, {"nearest_neighbor_mahalanobis", 0.0996, 0.0642},
    {"outlier_count", 0.1022, 0.0767},    {"one_class_svm", 0.1025, 0.0650},
    {"mahalanobis", 0.1101, 0.0645},
    {"manhattan", 0.1529, 0.0925},        {"euclidean", 0.1706, 0.0952},
};

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorKind::invalid_input, message);
}

struct Subject {
  std::string name;
  Matrix enroll, genuine, impostor_source;  // impostor_source: its first 5, scored against the others
};

// The subjects in the order they first appear, each with its attempts in (session, repetition) order.
std::vector<Subject> subjects_of(const std::vector<Attempt>& attempts) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Attempt*>> by_subject;
  for (const Attempt& a : attempts) {
    if (a.session <= 0 || a.repetition <= 0)
      fail("the benchmark needs each attempt's session and repetition (the CMU CSV has them); subject '" +
           printable(a.user, 60) + "' has an attempt without");
    auto [it, added] = by_subject.try_emplace(a.user);
    if (added) order.push_back(a.user);
    it->second.push_back(&a);
  }
  std::vector<Subject> out;
  std::size_t width = 0;
  for (const std::string& name : order) {
    auto& list = by_subject[name];
    if (list.size() < kEnroll + kGenuine)
      fail("subject '" + printable(name, 60) + "' has " + std::to_string(list.size()) + " attempts; the protocol needs " +
           std::to_string(kEnroll + kGenuine));
    std::stable_sort(list.begin(), list.end(), [](const Attempt* x, const Attempt* y) {
      return std::pair(x->session, x->repetition) < std::pair(y->session, y->repetition);
    });
    Subject s{name, {}, {}, {}};
    for (std::size_t i = 0; i < list.size(); ++i) {
      const bool enroll = i < kEnroll, genuine = i >= list.size() - kGenuine;
      if (!enroll && !genuine) continue;
      std::vector<double> row;
      try {
        row = timing_features(*list[i]);
      } catch (const Error& e) {
        fail("subject '" + printable(name, 60) + "', session " + std::to_string(list[i]->session) + ", repetition " +
             std::to_string(list[i]->repetition) + ": " + e.what());
      }
      if (width == 0) width = row.size();
      if (row.size() != width)
        fail("subject '" + printable(name, 60) + "', session " + std::to_string(list[i]->session) + ", repetition " +
             std::to_string(list[i]->repetition) + ": " + std::to_string(row.size()) + " timings, others have " +
             std::to_string(width));
      if (enroll) s.enroll.append_row(row);
      if (genuine) s.genuine.append_row(row);
      if (i < kImpostorPerOther) s.impostor_source.append_row(row);
    }
    out.push_back(std::move(s));
  }
  if (out.size() < 2) fail("the benchmark needs at least 2 subjects, got " + std::to_string(out.size()));
  return out;
}

std::pair<double, double> mean_std(const std::vector<double>& values) {
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double ss = 0;
  for (const double v : values) ss += (v - mean) * (v - mean);
  return {mean, values.size() > 1 ? std::sqrt(ss / static_cast<double>(values.size() - 1)) : 0.0};
}

DetectorBenchmark run_detector(const std::string& type, const std::vector<Subject>& subjects) {
  DetectorBenchmark out;
  out.detector = type;
  std::vector<double> eers, zero_fmrs, fmr100s;
  for (std::size_t s = 0; s < subjects.size(); ++s) {
    const auto detector = verify::make_detector(type);
    detector->enroll(subjects[s].enroll);
    std::vector<double> genuine, impostor;
    for (std::size_t r = 0; r < subjects[s].genuine.rows(); ++r) genuine.push_back(detector->score(subjects[s].genuine.row(r)));
    for (std::size_t o = 0; o < subjects.size(); ++o) {
      if (o == s) continue;
      for (std::size_t r = 0; r < subjects[o].impostor_source.rows(); ++r)
        impostor.push_back(detector->score(subjects[o].impostor_source.row(r)));
    }
    const eval::VerificationRates rates = eval::verification_rates(genuine, impostor);
    out.subjects.push_back({subjects[s].name, rates.eer, rates.zero_fmr, rates.fmr100});
    eers.push_back(rates.eer);
    zero_fmrs.push_back(rates.zero_fmr);
    fmr100s.push_back(rates.fmr100);
  }
  std::tie(out.eer_mean, out.eer_std) = mean_std(eers);
  std::tie(out.zero_fmr_mean, out.zero_fmr_std) = mean_std(zero_fmrs);
  out.fmr100_mean = mean_std(fmr100s).first;
  for (const Published& p : kPaper)
    if (type == p.detector) {
      out.paper_eer_mean = p.mean;
      out.paper_eer_std = p.std;
    }
  return out;
}

}  // namespace

std::string default_cmu_csv() {
  const char* dir = std::getenv("KSAUTH_DATA_DIR");
  const std::string base = dir && *dir ? std::string(dir) : std::string("../shared/data");
  return base + "/cmu-dsl2009/DSL-StrongPasswordData.csv";
}

std::vector<double> timing_features(const Attempt& attempt) {
  std::vector<double> out;
  const auto& ev = attempt.events;
  for (std::size_t k = 0; k < ev.size(); ++k) {
    if (!ev[k].released_at) fail("key " + std::to_string(k) + " has no release time (hold times need it)");
    const double press = static_cast<double>(ev[k].pressed_at), release = static_cast<double>(*ev[k].released_at);
    if (k > 0) {
      out.push_back((press - static_cast<double>(ev[k - 1].pressed_at)) / 1e6);   // DD
      out.push_back((press - static_cast<double>(*ev[k - 1].released_at)) / 1e6); // UD
    }
    out.push_back((release - press) / 1e6);  // H
  }
  return out;
}

BenchmarkReport benchmark_cmu(const std::string& url, const ingest::SourcePolicy& sources, const Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const ingest::ChainLoad load = ingest::load_training_chain(url, progress, sources);
  const std::vector<Subject> subjects = subjects_of(load.attempts);
  BenchmarkReport report;
  report.source = url;
  report.n_subjects = subjects.size();
  report.n_features = subjects.front().enroll.cols();
  report.n_enroll = kEnroll;
  report.n_genuine = kGenuine;
  report.n_impostor = kImpostorPerOther * (subjects.size() - 1);
  const auto& types = verify::detector_types();
  for (std::size_t d = 0; d < types.size(); ++d) {
    progress.report("benchmark", d, types.size());
    report.detectors.push_back(run_detector(types[d], subjects));
  }
  progress.report("benchmark", types.size(), types.size());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

nlohmann::json to_json(const BenchmarkReport& report) {
  nlohmann::json detectors = nlohmann::json::array();
  for (const auto& d : report.detectors) {
    nlohmann::json subjects = nlohmann::json::array();
    for (const auto& s : d.subjects)
      subjects.push_back({{"subject", s.subject}, {"eer", s.eer}, {"zero_fmr", s.zero_fmr}, {"fmr100", s.fmr100}});
    nlohmann::json paper = nullptr;
    if (d.paper_eer_mean) paper = {{"eer_mean", *d.paper_eer_mean}, {"eer_std", *d.paper_eer_std}};
    detectors.push_back({{"detector", d.detector},
                         {"eer_mean", d.eer_mean},
                         {"eer_std", d.eer_std},
                         {"zero_fmr_mean", d.zero_fmr_mean},
                         {"zero_fmr_std", d.zero_fmr_std},
                         {"fmr100_mean", d.fmr100_mean},
                         {"paper", paper},
                         {"subjects", subjects}});
  }
  return {{"benchmark", "cmu"},
          {"source", report.source},
          {"subjects", report.n_subjects},
          {"features", report.n_features},
          {"enroll_per_subject", report.n_enroll},
          {"genuine_per_subject", report.n_genuine},
          {"impostors_per_subject", report.n_impostor},
          {"detectors", detectors},
          {"seconds", report.seconds}};
}

std::string benchmark_text(const BenchmarkReport& report) {
  char line[256];
  std::string out = "CMU keystroke benchmark, Killourhy & Maxion's protocol (DSN 2009): " +
                    std::to_string(report.n_subjects) + " subjects, " + std::to_string(report.n_features) +
                    " timings; per subject " + std::to_string(report.n_enroll) + " attempts enrolled, " +
                    std::to_string(report.n_genuine) + " genuine and " + std::to_string(report.n_impostor) +
                    " impostor attempts scored\nSource: " + printable(report.source) + "\n\n";
  std::snprintf(line, sizeof line, "%-30s %-18s %-18s %-18s %s\n", "detector", "EER mean (std)", "paper EER (std)",
                "ZeroFMR mean (std)", "FMR100 mean");
  out += line;
  for (const auto& d : report.detectors) {
    char ours[40], paper[40] = "-", zero[40];
    std::snprintf(ours, sizeof ours, "%.4f (%.4f)", d.eer_mean, d.eer_std);
    if (d.paper_eer_mean) std::snprintf(paper, sizeof paper, "%.4f (%.4f)", *d.paper_eer_mean, *d.paper_eer_std);
    std::snprintf(zero, sizeof zero, "%.4f (%.4f)", d.zero_fmr_mean, d.zero_fmr_std);
    std::snprintf(line, sizeof line, "%-30s %-18s %-18s %-18s %.4f\n", d.detector.c_str(), ours, paper, zero,
                  d.fmr100_mean);
    out += line;
  }
  std::snprintf(line, sizeof line, "\n%.1f s\n", report.seconds);
  return out + line;
}

}  // namespace ksauth::app
