#include "models/model_file.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>

#include "core/error.hpp"
#include "models/adaboost.hpp"
#include "models/manhattan.hpp"
#include "unit/models/toy_data.hpp"

namespace ksauth::models {
namespace {

using testing::blobs;

const char kPhrase[] = ".tie5Roanl";

TrainedModel trained(std::string_view type, const Params& params = {}, std::uint64_t seed = 1) {
  const auto data = blobs(120, 4, 3, 1.2, seed);
  TrainedModel model;
  model.phrase = kPhrase;
  model.feature_names = {"H.t", "DD.t.i", "UD.t.i", "total"};
  model.labels = {"alice", "bob", "s002"};
  model.classifier = make_classifier(type, params);
  model.classifier->fit(data.x, data.y, 3, {});
  return model;
}

const Params kSmallBoost{{"n_estimators", 6}, {"max_depth", 3}};

std::uint32_t crc(std::string_view bytes) {
  return static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()),
                                          static_cast<uInt>(bytes.size())));
}

// A complete file around a payload, with the right size and checksum.
std::string wrap(std::string_view payload, std::uint32_t version = kModelFormatVersion) {
  BinaryWriter out;
  out.raw(std::string_view("KSAUTHMODEL\0", 12));
  out.u32(version);
  out.u64(payload.size());
  out.raw(payload);
  out.u32(crc(payload));
  return out.take();
}

std::string payload_of(const std::string& file) {
  return file.substr(24, file.size() - 28);
}

// The error a load raises: its kind must be corrupt; returns the message ("" when the load succeeded).
std::string load_error(std::string_view bytes) {
  try {
    load_model(bytes);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt) << e.what();
    return e.what();
  }
  return "";
}

bool bit_identical(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data().data(), b.data().data(), a.data().size() * sizeof(double)) == 0;
}

TEST(ModelFile, RoundTripGivesIdenticalPredictions) {
  const auto probe = blobs(60, 4, 3, 2.0, 99);
  for (const std::string type : {"adaboost", "manhattan"}) {
    const TrainedModel model = trained(type, type == "adaboost" ? kSmallBoost : Params{});
    const std::string bytes = save_model(model);
    ASSERT_EQ(bytes.substr(0, 12), std::string("KSAUTHMODEL\0", 12));
    const TrainedModel loaded = load_model(bytes);
    EXPECT_EQ(loaded.classifier->type(), type);
    EXPECT_EQ(loaded.classifier->params(), model.classifier->params());
    EXPECT_EQ(loaded.phrase, kPhrase);
    EXPECT_EQ(loaded.feature_names, model.feature_names);
    EXPECT_EQ(loaded.labels, model.labels);
    EXPECT_TRUE(
        bit_identical(loaded.classifier->predict_proba(probe.x), model.classifier->predict_proba(probe.x)))
        << type;
    EXPECT_EQ(save_model(loaded), bytes) << type;
  }
}

TEST(ModelFile, SameDataAndParamsGiveTheSameBytes) {
  EXPECT_EQ(save_model(trained("adaboost", kSmallBoost)), save_model(trained("adaboost", kSmallBoost)));
  EXPECT_EQ(save_model(trained("manhattan")), save_model(trained("manhattan")));
  EXPECT_NE(save_model(trained("manhattan", {}, 1)), save_model(trained("manhattan", {}, 2)));
}

TEST(ModelFile, EverySingleByteChangeIsRefused) {
  for (const std::string type : {"adaboost", "manhattan"}) {
    const std::string bytes = save_model(trained(type, type == "adaboost" ? kSmallBoost : Params{}));
    // Every byte of header and checksum, and a spread of payload positions (every one for small files).
    const std::size_t stride = bytes.size() > 4000 ? 7 : 1;
    for (std::size_t pos = 0; pos < bytes.size(); ++pos) {
      if (pos >= 24 && pos + 4 < bytes.size() && pos % stride != 0) continue;
      for (const unsigned char mask : {0x01, 0x80, 0xff}) {
        std::string bad = bytes;
        bad[pos] = static_cast<char>(static_cast<unsigned char>(bad[pos]) ^ mask);
        EXPECT_NE(load_error(bad), "") << type << " byte " << pos << " mask " << int(mask);
      }
    }
  }
}

TEST(ModelFile, EveryTruncationIsRefused) {
  for (const std::string type : {"adaboost", "manhattan"}) {
    const std::string bytes = save_model(trained(type, type == "adaboost" ? kSmallBoost : Params{}));
    for (std::size_t len = 0; len < bytes.size(); ++len)
      EXPECT_NE(load_error(std::string_view(bytes).substr(0, len)), "") << type << " length " << len;
  }
}

TEST(ModelFile, MessagesSayWhatIsWrong) {
  const std::string bytes = save_model(trained("manhattan"));
  EXPECT_EQ(load_error(std::string("SQLite format 3\0", 16) + bytes.substr(16)), "not a ksauth model file");
  EXPECT_EQ(load_error("PK\x03\x04 an archive, not a model"), "not a ksauth model file");
  EXPECT_EQ(load_error("{\"model\": 1}"), "not a ksauth model file");
  EXPECT_EQ(load_error(""), "truncated model file: 0 bytes");

  std::string v2 = bytes;
  v2[12] = 2;
  EXPECT_EQ(load_error(v2), "model file format version 2 is newer than this ksauth reads (1)");
  EXPECT_EQ(load_error(wrap(payload_of(bytes), 7)),
            "model file format version 7 is newer than this ksauth reads (1)");
  EXPECT_NE(load_error(wrap(payload_of(bytes), 0)).find("version 0"), std::string::npos);

  std::string flipped = bytes;
  flipped[40] ^= 0x10;
  EXPECT_EQ(load_error(flipped), "checksum mismatch: the model file is corrupted");
  std::string bad_crc = bytes;
  bad_crc.back() ^= 0x01;
  EXPECT_EQ(load_error(bad_crc), "checksum mismatch: the model file is corrupted");

  EXPECT_NE(load_error(bytes + "x").find("trailing bytes"), std::string::npos);
  EXPECT_NE(load_error(bytes.substr(0, bytes.size() - 1)).find("truncated"), std::string::npos);
  EXPECT_NE(load_error(bytes.substr(0, 20)).find("truncated"), std::string::npos);
}

// A payload built piece by piece, as save_model writes it.
struct Payload {
  BinaryWriter w;
  Payload(std::string_view type, const Params& params, const std::vector<std::string>& names,
          const std::vector<std::string>& labels) {
    w.str(type);
    w.u64(params.size());
    for (const auto& [n, v] : params) w.str(n), w.f64(v);
    w.str(kPhrase);
    w.u64(names.size());
    for (const auto& s : names) w.str(s);
    w.u64(labels.size());
    for (const auto& s : labels) w.str(s);
  }
};

std::string classifier_bytes(const TrainedModel& m) {
  BinaryWriter w;
  m.classifier->save(w);
  return w.take();
}

TEST(ModelFile, InconsistentContentIsRefused) {
  const TrainedModel manhattan = trained("manhattan");
  const TrainedModel boost = trained("adaboost", kSmallBoost);
  const std::vector<std::string> names = manhattan.feature_names;
  const std::vector<std::string> labels = manhattan.labels;
  {  // the reference: hand-built and accepted
    Payload p("manhattan", {}, names, labels);
    p.w.raw(classifier_bytes(manhattan));
    EXPECT_EQ(load_error(wrap(p.w.bytes())), "");
  }
  {
    Payload p("transformer", {}, names, labels);
    p.w.raw(classifier_bytes(manhattan));
    EXPECT_EQ(load_error(wrap(p.w.bytes())), "model file: unknown model type 'transformer'");
  }
  {  // a manhattan's bytes under another type's name
    Payload p("lstm", {}, names, labels);
    p.w.raw(classifier_bytes(manhattan));
    EXPECT_EQ(load_error(wrap(p.w.bytes())).rfind("lstm: ", 0), 0u);
  }
  {
    Payload p("manhattan", {}, names, {"alice", "bob"});
    p.w.raw(classifier_bytes(manhattan));
    EXPECT_EQ(load_error(wrap(p.w.bytes())), "model file: 2 labels for a classifier of 3 classes");
  }
  {
    Payload p("manhattan", {}, {"a", "b", "c"}, labels);
    p.w.raw(classifier_bytes(manhattan));
    EXPECT_EQ(load_error(wrap(p.w.bytes())),
              "model file: 3 feature names for a classifier fitted on 4 features");
  }
  {
    Payload p("manhattan", {}, names, {"alice", "bob", "alice"});
    p.w.raw(classifier_bytes(manhattan));
    EXPECT_EQ(load_error(wrap(p.w.bytes())), "model file: duplicate labels");
  }
  {
    Payload p("manhattan", {}, names, labels);
    p.w.raw(classifier_bytes(manhattan));
    p.w.u8(0);
    EXPECT_EQ(load_error(wrap(p.w.bytes())), "model file: 1 unexpected bytes after the model");
  }
  {  // the classifier's bytes of another type
    Payload p("manhattan", {}, names, labels);
    p.w.raw(classifier_bytes(boost));
    EXPECT_NE(load_error(wrap(p.w.bytes())), "");
  }
  {  // parameters that differ from the classifier's own
    Params params = boost.classifier->params();
    params["n_estimators"] = 9;
    Payload p("adaboost", params, names, labels);
    p.w.raw(classifier_bytes(boost));
    EXPECT_EQ(load_error(wrap(p.w.bytes())), "model file: the parameters differ from the classifier's");
  }
  {  // parameters the model type refuses
    Payload p("manhattan", {{"k", 1}}, names, labels);
    p.w.raw(classifier_bytes(manhattan));
    EXPECT_NE(load_error(wrap(p.w.bytes())).find("bad parameters"), std::string::npos);
  }
}

TEST(ModelFile, GarbageNeverCrashes) {
  std::mt19937_64 rng(2024);
  const auto random_bytes = [&](std::size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
  };
  const std::string magic_and_version = std::string("KSAUTHMODEL\0", 12) + std::string("\x01\0\0\0", 4);
  for (int i = 0; i < 3000; ++i) {
    const std::size_t n = rng() % 200;
    EXPECT_NE(load_error(random_bytes(n)), "");
    EXPECT_NE(load_error(magic_and_version + random_bytes(n)), "");
    // Past the checksum: the parser itself meets the garbage.
    load_error(wrap(random_bytes(n)));
  }
  // Valid files with damaged payloads and a recomputed checksum: each loads or is refused with
  // Error(corrupt) (load_error checks the kind); nothing else may happen.
  for (const std::string type : {"adaboost", "manhattan"}) {
    const std::string payload =
        payload_of(save_model(trained(type, type == "adaboost" ? kSmallBoost : Params{})));
    int refused = 0;
    for (int i = 0; i < 3000; ++i) {
      std::string bad = payload;
      const int changes = 1 + static_cast<int>(rng() % 4);
      for (int c = 0; c < changes; ++c) {
        const std::size_t pos = rng() % bad.size();
        bad[pos] = (rng() % 2) ? static_cast<char>(rng() & 0xff) : static_cast<char>(bad[pos] ^ 0xff);
      }
      if (rng() % 8 == 0) bad.resize(rng() % bad.size());
      refused += !load_error(wrap(bad)).empty();
    }
    EXPECT_GT(refused, 100) << type;
  }
}

TEST(ModelFile, SaveRefusesAnIncompleteModel) {
  TrainedModel empty;
  EXPECT_THROW(save_model(empty), Error);
  TrainedModel unfitted;
  unfitted.classifier = make_classifier("manhattan");
  try {
    save_model(unfitted);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_EQ(std::string(e.what()), "model file: the classifier is not fitted");
  }
  TrainedModel wrong = trained("manhattan");
  wrong.labels.pop_back();
  EXPECT_THROW(save_model(wrong), Error);
}

TEST(Registry, TypesAndFactory) {
  EXPECT_EQ(classifier_types(), (std::vector<std::string>{"adaboost", "manhattan", "mlp", "lstm"}));
  EXPECT_EQ(make_classifier("adaboost")->type(), "adaboost");
  EXPECT_EQ(make_classifier("manhattan")->type(), "manhattan");
  EXPECT_EQ(make_classifier("mlp")->type(), "mlp");
  EXPECT_EQ(make_classifier("lstm", {{"layers", 2}})->params().at("layers"), 2);
  EXPECT_EQ(make_classifier("adaboost", {{"n_estimators", 50}})->params().at("n_estimators"), 50);
  try {
    make_classifier("svm");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_EQ(std::string(e.what()), "unknown model type 'svm' (known types: adaboost, manhattan, mlp, lstm)");
  }
  try {
    make_classifier("adaboost", {{"depth", 3}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
  }
}

}  // namespace
}  // namespace ksauth::models
