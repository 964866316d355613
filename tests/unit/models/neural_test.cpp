// The neural models (mlp, lstm) through the libtorch plugin: they learn, they are reproducible, they
// round-trip through save/load, and they refuse what they cannot use.
#include "models/neural_classifier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.hpp"
#include "features/vector.hpp"
#include "models/model_file.hpp"
#include "unit/models/toy_data.hpp"

namespace ksauth::models {
namespace {

using Kind = NeuralClassifier::Kind;
using testing::blobs;
using testing::error_kind;

// A four-key phrase with release times: H.0..H.3, DD.1..DD.3, UD.1..UD.3, backspaces, duration.
const features::FeatureLayout& layout() {
  static const features::FeatureLayout l = features::make_layout("abcd", true);
  return l;
}

FitOptions options(std::uint64_t seed = 42) {
  FitOptions o;
  o.seed = seed;
  o.sequence = features::sequence_columns(layout());
  return o;
}

// Small and quick: no validation slice, no dropout, a high learning rate, small batches.
Params quick(Kind kind, int epochs) {
  Params p{{"epochs", epochs}, {"learning_rate", 0.01}, {"batch_size", 8}, {"dropout", 0}, {"validation_fraction", 0}};
  if (kind == Kind::mlp) {
    p["hidden1"] = 64;
    p["hidden2"] = 32;
  } else {
    p["hidden"] = 32;
  }
  return p;
}

double accuracy(const Matrix& proba, const std::vector<int>& y) {
  std::size_t right = 0;
  for (std::size_t r = 0; r < proba.rows(); ++r) {
    const auto row = proba.row(r);
    right += static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin()) == y[r];
  }
  return static_cast<double>(right) / static_cast<double>(y.size());
}

// A saved neural model's bytes split before its last field, the weights archive (u64 length + bytes).
std::pair<std::string, std::string> split_archive(const std::string& bytes) {
  for (std::size_t start = 0; start + 8 <= bytes.size(); ++start) {
    BinaryReader r(std::string_view(bytes).substr(start, 8));
    const std::uint64_t len = r.u64();
    if (len > 100 && start + 8 + len == bytes.size()) return {bytes.substr(0, start), bytes.substr(start + 8)};
  }
  ADD_FAILURE() << "no archive found";
  return {};
}

class Neural : public ::testing::TestWithParam<Kind> {};

INSTANTIATE_TEST_SUITE_P(Models, Neural, ::testing::Values(Kind::mlp, Kind::lstm),
                         [](const auto& info) { return info.param == Kind::mlp ? "mlp" : "lstm"; });

TEST_P(Neural, OverfitsATinyDataSetToEveryRow) {
  // Noise wider than the distance between the class centres: only memorizing gets every row right.
  const auto data = blobs(40, layout().names.size(), 4, 3.0, 11);
  NeuralClassifier model(GetParam(), quick(GetParam(), 300));
  model.fit(data.x, data.y, 4, options());
  EXPECT_EQ(accuracy(model.predict_proba(data.x), data.y), 1.0);
  EXPECT_EQ(model.training().epochs_run, 300);
  EXPECT_EQ(model.training().best_validation_accuracy, -1);  // no validation slice asked for
  EXPECT_LT(model.training().final_loss, 0.05);
  EXPECT_EQ(model.fit_summary(), "300 epochs");
}

TEST_P(Neural, LearnsSeparableClassesWithTheDefaults) {
  const auto data = blobs(400, layout().names.size(), 4, 0.5, 3);
  const auto test = blobs(200, layout().names.size(), 4, 0.5, 4);
  NeuralClassifier model(GetParam(), {{"epochs", 30}});
  model.fit(data.x, data.y, 4, options());
  EXPECT_GE(accuracy(model.predict_proba(test.x), test.y), 0.95);
  EXPECT_GT(model.training().best_validation_accuracy, 0.9);
  EXPECT_GE(model.training().best_epoch, 1);
  const std::string summary = model.fit_summary();
  EXPECT_TRUE(summary.rfind("stopped early after ", 0) == 0 || summary.rfind("30 epochs: kept epoch ", 0) == 0) << summary;
  EXPECT_NE(summary.find("(validation accuracy "), std::string::npos) << summary;
  // Every validation row right from an early epoch on: later epochs that are as right but surer win.
  EXPECT_GT(model.training().best_epoch, 4) << summary;
}

TEST_P(Neural, TheSameSeedGivesTheSameWeights) {
  const auto data = blobs(120, layout().names.size(), 3, 1.0, 5);
  Params p = quick(GetParam(), 5);
  p["dropout"] = 0.3;  // the dropout masks come from the seed too
  p["validation_fraction"] = 0.2;
  NeuralClassifier a(GetParam(), p), b(GetParam(), p), c(GetParam(), p);
  a.fit(data.x, data.y, 3, options(7));
  b.fit(data.x, data.y, 3, options(7));
  c.fit(data.x, data.y, 3, options(8));
  ASSERT_FALSE(a.weights().empty());
  EXPECT_EQ(a.weights(), b.weights());
  EXPECT_EQ(a.predict_proba(data.x).data(), b.predict_proba(data.x).data());
  EXPECT_NE(a.weights(), c.weights());
}

TEST_P(Neural, ConcurrentFitsGiveTheSameWeightsAsOneAtATime) {
  // libtorch's generator is one per process: fits take turns, so a seed still decides everything.
  const auto data = blobs(80, layout().names.size(), 3, 1.0, 6);
  const Params p = quick(GetParam(), 4);
  NeuralClassifier alone(GetParam(), p);
  alone.fit(data.x, data.y, 3, options(9));
  NeuralClassifier first(GetParam(), p), second(GetParam(), p);
  std::thread t1([&] { first.fit(data.x, data.y, 3, options(9)); });
  std::thread t2([&] { second.fit(data.x, data.y, 3, options(9)); });
  t1.join();
  t2.join();
  EXPECT_EQ(first.weights(), alone.weights());
  EXPECT_EQ(second.weights(), alone.weights());
}

TEST_P(Neural, ALoadedModelScoresWhileAnotherTrains) {
  // A server predicts with stored models while a training job runs: loading must not wait for it.
  const auto data = blobs(60, layout().names.size(), 3, 1.0, 4);
  NeuralClassifier small(GetParam(), quick(GetParam(), 3));
  small.fit(data.x, data.y, 3, options());
  BinaryWriter saved;
  small.save(saved);

  std::atomic<bool> started{false}, cancel{false}, finished{false};
  std::thread trainer([&] {
    NeuralClassifier long_one(GetParam(), quick(GetParam(), 10000));
    FitOptions o = options();
    o.progress = Progress([&](std::string_view, std::size_t, std::size_t) { started = true; }, &cancel);
    EXPECT_EQ(error_kind([&] { long_one.fit(data.x, data.y, 3, o); }), ErrorKind::cancelled);
    finished = true;
  });
  while (!started) std::this_thread::yield();
  NeuralClassifier loaded(GetParam());
  BinaryReader in(saved.bytes());
  loaded.load(in);
  EXPECT_EQ(loaded.predict_proba(data.x).data(), small.predict_proba(data.x).data());
  EXPECT_FALSE(finished);  // loaded and scored while the other was still training
  cancel = true;
  trainer.join();
}

TEST_P(Neural, SaveLoadGivesIdenticalScores) {
  const auto data = blobs(90, layout().names.size(), 3, 1.0, 8);
  NeuralClassifier model(GetParam(), quick(GetParam(), 10));
  model.fit(data.x, data.y, 3, options());
  BinaryWriter out;
  model.save(out);
  NeuralClassifier loaded(GetParam());
  BinaryReader in(out.bytes());
  loaded.load(in);
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(loaded.params(), model.params());
  EXPECT_EQ(loaded.n_features(), model.n_features());
  EXPECT_EQ(loaded.n_classes(), 3);
  EXPECT_EQ(loaded.weights(), model.weights());
  EXPECT_EQ(loaded.training().epochs_run, 10);
  EXPECT_EQ(loaded.predict_proba(data.x).data(), model.predict_proba(data.x).data());

  // And through the model file, as ksauth stores it.
  TrainedModel trained{layout().phrase, layout().names, {"u1", "u2", "u3"}, std::make_unique<NeuralClassifier>(std::move(loaded))};
  const TrainedModel back = load_model(save_model(trained));
  EXPECT_EQ(back.classifier->type(), GetParam() == Kind::mlp ? "mlp" : "lstm");
  EXPECT_EQ(back.classifier->predict_proba(data.x).data(), model.predict_proba(data.x).data());
}

TEST_P(Neural, DamagedBytesAreRefusedNeverLoaded) {
  const auto data = blobs(60, layout().names.size(), 3, 1.0, 8);
  NeuralClassifier model(GetParam(), quick(GetParam(), 2));
  model.fit(data.x, data.y, 3, options());
  BinaryWriter out;
  model.save(out);
  const std::string bytes = out.bytes();
  // Truncated anywhere (a sample of the lengths: the archive is tens of kilobytes).
  for (std::size_t len = 0; len < bytes.size(); len += 1 + bytes.size() / 150) {
    NeuralClassifier loaded(GetParam());
    BinaryReader in(std::string_view(bytes).substr(0, len));
    EXPECT_EQ(error_kind([&] { loaded.load(in); }), ErrorKind::corrupt) << "length " << len;
    EXPECT_EQ(loaded.n_classes(), 0);
  }
  // The weights of a narrower network under the description of a wider one: refused, not loaded.
  NeuralClassifier wider(GetParam(), [&] {
    Params p = quick(GetParam(), 2);
    p[GetParam() == Kind::mlp ? "hidden1" : "hidden"] = 65;
    return p;
  }());
  wider.fit(data.x, data.y, 3, options());
  BinaryWriter wider_out;
  wider.save(wider_out);
  const auto [wider_header, wider_archive] = split_archive(wider_out.bytes());
  const auto [header, archive] = split_archive(bytes);
  BinaryWriter spliced;
  spliced.raw(wider_header);
  spliced.str(archive);
  NeuralClassifier probe(GetParam());
  BinaryReader in(spliced.bytes());
  std::string message;
  EXPECT_EQ(error_kind([&] { probe.load(in); }, &message), ErrorKind::corrupt);
  EXPECT_NE(message.find("weights"), std::string::npos) << message;
  EXPECT_EQ(probe.n_classes(), 0);
}

TEST_P(Neural, ReportsEveryEpochAndHonoursCancel) {
  const auto data = blobs(60, layout().names.size(), 3, 1.0, 2);
  Params p = quick(GetParam(), 4);
  p["validation_fraction"] = 0.2;
  std::vector<std::string> steps;
  std::vector<std::size_t> done;
  FitOptions o = options();
  o.progress = Progress([&](std::string_view step, std::size_t d, std::size_t total) {
    steps.emplace_back(step);
    done.push_back(d);
    EXPECT_EQ(total, 4u);
  });
  NeuralClassifier model(GetParam(), p);
  model.fit(data.x, data.y, 3, o);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(done, (std::vector<std::size_t>{1, 2, 3, 4, 4}));
  EXPECT_EQ(steps[0].rfind("epoch 1: loss ", 0), 0u) << steps[0];
  EXPECT_NE(steps[0].find(", validation accuracy "), std::string::npos) << steps[0];
  const Matrix before = model.predict_proba(data.x);

  // Cancelled during the second epoch of a new fit: the fitted model stays as it was.
  std::atomic<bool> cancel{false};
  o.progress = Progress([&](std::string_view, std::size_t d, std::size_t) { cancel = d >= 1; }, &cancel);
  const auto other = blobs(60, layout().names.size(), 2, 1.0, 3);
  EXPECT_EQ(error_kind([&] { model.fit(other.x, other.y, 2, o); }), ErrorKind::cancelled);
  EXPECT_EQ(model.n_classes(), 3);
  EXPECT_EQ(model.predict_proba(data.x).data(), before.data());

  NeuralClassifier fresh(GetParam(), p);
  cancel = true;
  EXPECT_EQ(error_kind([&] { fresh.fit(data.x, data.y, 3, o); }), ErrorKind::cancelled);
  EXPECT_EQ(fresh.n_classes(), 0);
}

TEST_P(Neural, RefusesBadInput) {
  NeuralClassifier model(GetParam(), quick(GetParam(), 2));
  EXPECT_EQ(error_kind([&] { model.predict_proba(Matrix(1, layout().names.size())); }), ErrorKind::invalid_input);
  EXPECT_EQ(error_kind([&] { model.fit(Matrix(), {}, 2, options()); }), ErrorKind::invalid_input);
  const auto data = blobs(30, layout().names.size(), 3, 1.0, 2);
  model.fit(data.x, data.y, 3, options());
  EXPECT_EQ(error_kind([&] { model.predict_proba(Matrix(1, 3)); }), ErrorKind::invalid_input);
  Matrix nan_row(1, layout().names.size());
  nan_row(0, 2) = NAN;
  EXPECT_EQ(error_kind([&] { model.predict_proba(nan_row); }), ErrorKind::invalid_input);
  EXPECT_EQ(model.predict_proba(Matrix(0, layout().names.size())).rows(), 0u);
  // An absurd but finite value is scored, not turned into NaN.
  Matrix huge(1, layout().names.size(), 1e300);
  const Matrix p = model.predict_proba(huge);
  double sum = 0;
  for (double v : p.row(0)) {
    EXPECT_TRUE(std::isfinite(v));
    sum += v;
  }
  EXPECT_NEAR(sum, 1.0, 1e-6);
}

TEST(NeuralLstm, NeedsTheKeystrokeSequence) {
  const auto data = blobs(30, layout().names.size(), 3, 1.0, 2);
  NeuralClassifier model(Kind::lstm, quick(Kind::lstm, 2));
  std::string message;
  EXPECT_EQ(error_kind([&] { model.fit(data.x, data.y, 3, {}); }, &message), ErrorKind::invalid_input);
  EXPECT_NE(message.find("sequence"), std::string::npos) << message;
  FitOptions wrong = options();
  wrong.sequence.back().hold = 99;
  EXPECT_EQ(error_kind([&] { model.fit(data.x, data.y, 3, wrong); }), ErrorKind::invalid_input);
  // Without release times each key has only its press-to-press latency: still a sequence.
  const auto no_release = features::make_layout("abcd", false);
  const auto small = blobs(60, no_release.names.size(), 3, 0.5, 2);
  FitOptions o;
  o.sequence = features::sequence_columns(no_release);
  model.fit(small.x, small.y, 3, o);
  EXPECT_EQ(model.n_features(), no_release.names.size());
}

TEST(NeuralParams, DefaultsAndRanges) {
  const NeuralClassifier mlp(Kind::mlp), lstm(Kind::lstm);
  EXPECT_EQ(mlp.type(), "mlp");
  EXPECT_EQ(lstm.type(), "lstm");
  EXPECT_EQ(mlp.params(), (Params{{"batch_size", 64}, {"dropout", 0.2}, {"epochs", 200}, {"hidden1", 256},
                                  {"hidden2", 128}, {"learning_rate", 0.001}, {"patience", 20},
                                  {"validation_fraction", 0.1}}));
  EXPECT_EQ(lstm.params().at("layers"), 1);
  std::string message;
  EXPECT_EQ(error_kind([] { NeuralClassifier(Kind::mlp, {{"epochs", 0}}); }, &message), ErrorKind::invalid_input);
  EXPECT_NE(message.find("mlp: parameter 'epochs' must be an integer in [1, 10000] (got 0)"), std::string::npos) << message;
  EXPECT_EQ(error_kind([] { NeuralClassifier(Kind::mlp, {{"learning_rate", 0}}); }, &message), ErrorKind::invalid_input);
  EXPECT_NE(message.find("must be a number in (0, 1]"), std::string::npos) << message;
  EXPECT_EQ(error_kind([] { NeuralClassifier(Kind::lstm, {{"dropout", 0.95}}); }), ErrorKind::invalid_input);
  EXPECT_EQ(error_kind([] { NeuralClassifier(Kind::lstm, {{"hidden1", 10}}); }, &message), ErrorKind::invalid_input);
  EXPECT_NE(message.find("unknown parameter 'hidden1' (accepted: batch_size, dropout, embedding, epochs, hidden, "
                         "layers, learning_rate, patience, validation_fraction)"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace ksauth::models
