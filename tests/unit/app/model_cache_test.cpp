#include "app/model_cache.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "app/model_registry.hpp"
#include "app/train.hpp"
#include "core/error.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"

namespace ksauth::app {
namespace {

using testing::synthetic_attempts;

class ModelCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::write_chain(dir_, {synthetic_attempts("ann", 0, "hello", 12, true),
                                       synthetic_attempts("bob", 1, "hello", 12, true)});
  }
  void train_model(const std::string& type, const std::string& name, bool replace = false) {
    store::Store store(db_);
    TrainRequest r;
    r.url = url_;
    r.model_type = type;
    r.name = name;
    r.replace = replace;
    train(store, r);
  }

  testing::TempDir dir_;
  std::string url_;
  std::string db_ = dir_.file("ksauth.db");
};

TEST_F(ModelCacheTest, KeepsAModelOpenUntilTheStoreHoldsAnotherVersion) {
  train_model("manhattan", "m");
  ModelCache cache(db_, 16, std::chrono::milliseconds(0));  // the store asked every time
  const auto first = cache.open("m");
  EXPECT_EQ(first->classifier->type(), "manhattan");
  EXPECT_EQ(cache.open("m"), first);  // the same object: not read again

  train_model("adaboost", "m", true);  // replaced, as another process would
  const auto second = cache.open("m");
  EXPECT_NE(second, first);
  EXPECT_EQ(second->classifier->type(), "adaboost");
  EXPECT_EQ(first->classifier->type(), "manhattan");  // a holder of the old one keeps it intact

  store::Store store(db_);
  delete_model(store, "m");
  EXPECT_EQ(testing::error_kind([&] { (void)cache.open("m"); }), ErrorKind::not_found);
}

TEST_F(ModelCacheTest, AsksTheStoreAtMostOncePerRecheckInterval) {
  train_model("manhattan", "m");
  ModelCache cache(db_, 16, std::chrono::hours(1));
  const auto first = cache.open("m");
  train_model("adaboost", "m", true);
  EXPECT_EQ(cache.open("m"), first);  // within the interval: not asked
  cache.forget("m");
  EXPECT_EQ(cache.open("m")->classifier->type(), "adaboost");
}

TEST_F(ModelCacheTest, KeepsAtMostItsCapacity) {
  train_model("manhattan", "a");
  train_model("manhattan", "b");
  ModelCache cache(db_, 1, std::chrono::milliseconds(0));
  const auto a = cache.open("a");
  EXPECT_EQ(cache.open("a"), a);
  (void)cache.open("b");  // closes a
  EXPECT_NE(cache.open("a"), a);
}

TEST_F(ModelCacheTest, ThreadsShareOneReadOfAModel) {
  train_model("adaboost", "m");
  ModelCache cache(db_);
  std::vector<std::shared_ptr<const models::TrainedModel>> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < seen.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) seen[t] = cache.open("m");
    });
  for (auto& t : threads) t.join();
  for (const auto& model : seen) EXPECT_EQ(model, seen.front());
}

TEST(ModelCache, ADatabaseThatCannotBeOpenedFailsAtOnce) {
  EXPECT_THROW(ModelCache(""), Error);
}

}  // namespace
}  // namespace ksauth::app
