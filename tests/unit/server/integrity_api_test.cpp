// Damage to what the server stores is answered as an error naming what is damaged: 500 with one line, no
// path of the server's files and no stack, and the rest keeps working.
#include <sqlite3.h>

#include "api_fixture.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

class IntegrityApiTest : public ApiTest {
 protected:
  // Flips one bit in the middle of the stored model's file, as a disk or a copy might.
  void flip_a_bit_of(const std::string& model) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("test.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE models SET blob = ? WHERE name = ?", -1, &s, nullptr), SQLITE_OK);
    std::string blob = get_bytes(model);
    blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 0x40);
    sqlite3_bind_blob64(s, 1, blob.data(), blob.size(), SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, model.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(s), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_finalize(s);
    sqlite3_close(db);
  }
  std::string get_bytes(const std::string& model) {
    const auto r = client_->Get("/api/v1/models/" + model + "/file");
    EXPECT_TRUE(r && r->status == 200);
    return r ? r->body : std::string();
  }
};

TEST_F(IntegrityApiTest, PredictingWithACorruptedModelIs500NamingTheModel) {
  const testing::TempDir data;
  const std::string url = testing::write_chain(data, three_typists());
  for (const char* name : {"a1", "a2"}) {
    const json job = post("/api/v1/jobs", {{"url", url}, {"model", "adaboost"}, {"name", name},
                                           {"params", {{"n_estimators", 10}}}}, 202);
    ASSERT_EQ(wait_for_job(job["id"].get<std::string>())["status"], "done");
  }
  flip_a_bit_of("a1");
  const json attempts = json::parse(testing::test_file_json(testing::synthetic_attempts("bob", 1, "hello", 2, true, 4)));
  const json answer = post("/api/v1/models/a1/predict", attempts, 500);
  EXPECT_EQ(answer, json({{"error", "model 'a1': checksum mismatch: the model file is corrupted"}}));
  // The CSV form says the same; the other model and the listing are unaffected.
  const auto csv = client_->Post("/api/v1/models/a1/predict.csv", attempts.dump(), "application/json");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 500);
  EXPECT_EQ(json::parse(csv->body, nullptr, false), answer);
  EXPECT_EQ(post("/api/v1/models/a2/predict", attempts)["n_ok"], 2);
  EXPECT_EQ(get("/api/v1/models").size(), 2u);
}

}  // namespace
}  // namespace ksauth::server
