// The CMU benchmark chain loaded through the API, served over loopback HTTP.
#include <filesystem>

#include "support/loopback_server.hpp"
#include "unit/server/api_fixture.hpp"

namespace ksauth::server {
namespace {

TEST_F(ApiTest, TheCmuChainLoadsThroughTheApi) {
  const auto data = testing::data_dir();
  if (!data || !std::filesystem::exists(*data + "/cmu-dsl2009/chain/train/user_s002.json"))
    GTEST_FAIL() << testing::kNoData;
  testing::LoopbackServer files(*data);
  const nlohmann::json r =
      post("/api/v1/datasets", {{"url", files.url("/cmu-dsl2009/chain/train/user_s002.json")}, {"first_n", 5}});
  EXPECT_EQ(r["users"].size(), 51u);
  EXPECT_EQ(r["n_attempts"], 15300);
  EXPECT_EQ(r["n_valid"], 15300);
  EXPECT_EQ(r["phrase"]["text"], ".tie5Roanl");
  EXPECT_TRUE(r["failure"].is_null());
  EXPECT_EQ(r["keystrokes"].size(), 5u);
  const std::string id = std::to_string(r["dataset"]["id"].get<std::int64_t>());
  const nlohmann::json rhythm = get("/api/v1/datasets/" + id + "/rhythm?user=s002");
  EXPECT_EQ(rhythm["positions"].size(), 9u);
  EXPECT_EQ(rhythm["user_attempts"], 300);
  EXPECT_EQ(rhythm["population_attempts"], 15300);
}

}  // namespace
}  // namespace ksauth::server
