// The source policy: which addresses are public, which hosts an allow-list lets through, and every fetch,
// redirect and chain held to the policy's rules and limits (over loopback HTTP).
#include "ingest/source_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "ingest/fetch.hpp"
#include "ingest/pages.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "support/loopback_server.hpp"

namespace ksauth::ingest {
namespace {

using testing::error_kind;
using testing::LoopbackServer;
using testing::TempDir;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(IsPublicAddress, SpecialRangesAreNotPublic) {
  const std::pair<const char*, const char*> special[] = {
      {"127.0.0.1", "loopback"},        {"127.255.0.9", "loopback"},   {"10.1.2.3", "private"},
      {"172.16.0.1", "private"},        {"172.31.255.255", "private"}, {"192.168.1.1", "private"},
      {"169.254.169.254", "link-local"}, {"100.64.0.1", "shared (carrier NAT)"}, {"0.0.0.0", "unspecified"},
      {"224.0.0.1", "multicast"},       {"255.255.255.255", "reserved"}, {"192.0.2.10", "documentation"},
      {"::1", "loopback"},              {"::", "unspecified"},         {"fe80::1", "link-local"},
      {"fd00::5", "unique-local"},      {"ff02::1", "multicast"},      {"2001:db8::1", "documentation"},
      {"::ffff:127.0.0.1", "loopback"}, {"::ffff:10.0.0.1", "private"}, {"64:ff9b::a9fe:a9fe", "link-local"},
      {"2002:7f00:1::", "loopback"},    {"2002:a00:1::5", "private"},
  };
  for (const auto& [address, kind] : special) {
    std::string got;
    EXPECT_FALSE(is_public_address(address, &got)) << address;
    EXPECT_EQ(got, kind) << address;
  }
  for (const char* address : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1", "192.169.0.1",
                              "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"}) {
    std::string got;
    EXPECT_TRUE(is_public_address(address, &got)) << address;
    EXPECT_EQ(got, "public");
  }
  EXPECT_EQ(error_kind([] { is_public_address("localhost"); }), ErrorKind::invalid_input);
}

TEST(CheckHost, PrivateAddressesOnlyWhenAllowed) {
  SourcePolicy trusting;
  EXPECT_TRUE(check_host(trusting, "localhost", 80, "127.0.0.1").allowed);
  SourcePolicy guarded = untrusted_sources();
  guarded.host_hint = "ask the admin";
  const HostCheck refused = check_host(guarded, "metadata", 80, "169.254.169.254");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.reason,
            "the host metadata is at 169.254.169.254, a link-local address; private and loopback addresses are not "
            "fetched (ask the admin)");
  EXPECT_TRUE(check_host(guarded, "zero", 80, "0.0.0.0").reason.starts_with("the host zero is at 0.0.0.0, an unspecified address"));
  EXPECT_TRUE(check_host(guarded, "example.org", 443, "93.184.216.34").allowed);
}

TEST(CheckHost, AllowListByNameSubdomainPortAndRange) {
  SourcePolicy p = untrusted_sources();
  p.allowed_hosts = {"data.lab", "*.example.org", "127.0.0.1:8081", "10.1.0.0/16", "[::1]:9000", "fd00::/8"};
  const auto allowed = [&](const char* host, int port, const char* address) {
    return check_host(p, host, port, address).allowed;
  };
  EXPECT_TRUE(allowed("data.lab", 80, "10.9.9.9"));  // listed by name: a private address is allowed
  EXPECT_TRUE(allowed("DATA.LAB", 80, "10.9.9.9"));
  EXPECT_FALSE(allowed("data.lab.evil.com", 80, "1.2.3.4"));
  EXPECT_TRUE(allowed("example.org", 443, "93.184.216.34"));
  EXPECT_TRUE(allowed("a.b.example.org", 443, "93.184.216.34"));
  EXPECT_FALSE(allowed("badexample.org", 443, "93.184.216.34"));
  EXPECT_TRUE(allowed("127.0.0.1", 8081, "127.0.0.1"));
  EXPECT_FALSE(allowed("127.0.0.1", 8082, "127.0.0.1"));  // the port is part of the entry
  EXPECT_TRUE(allowed("anything", 8081, "127.0.0.1"));    // an address entry matches what the name resolves to
  EXPECT_TRUE(allowed("10.1.200.3", 80, "10.1.200.3"));
  EXPECT_FALSE(allowed("10.2.0.1", 80, "10.2.0.1"));
  EXPECT_TRUE(allowed("::1", 9000, "::1"));
  EXPECT_FALSE(allowed("::1", 9001, "::1"));
  EXPECT_TRUE(allowed("fd12::1", 80, "fd12::1"));
  EXPECT_TRUE(allowed("x", 8081, "::ffff:127.0.0.1"));  // IPv4-mapped is the IPv4 address
  const HostCheck other = check_host(p, "example.com", 80, "93.184.216.34");
  EXPECT_FALSE(other.allowed);
  EXPECT_EQ(other.reason, "the host example.com (93.184.216.34) at port 80 is not one of the allowed hosts");
}

TEST(CheckPolicy, MalformedEntriesAndLimitsAreInvalidInput) {
  for (const char* entry : {"", "a b", "host:0", "host:99999", "host:x", "10.0.0.0/33", "10.0.0.0/", "/8",
                            "[::1", "[10.0.0.1]", "[::1]x", "*.", "bad_\x01"}) {
    SourcePolicy p;
    p.allowed_hosts = {entry};
    std::string message;
    EXPECT_EQ(error_kind([&] { check_policy(p); }, &message), ErrorKind::invalid_input) << entry;
    EXPECT_TRUE(contains(message, std::string("allowed host \"") + entry + "\"")) << message;
  }
  SourcePolicy zero_pages;
  zero_pages.max_pages = 0;
  EXPECT_EQ(error_kind([&] { check_policy(zero_pages); }), ErrorKind::invalid_input);
  SourcePolicy zero_bytes;
  zero_bytes.max_page_bytes = 0;
  EXPECT_EQ(error_kind([&] { Fetcher f(zero_bytes); }), ErrorKind::invalid_input);
}

// A loopback server: pages, redirects, a slow answer.
class PolicyFetch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("page.json", R"({"hello": "world"})");
    dir_.write("big.json", std::string(5000, ' ') + "{}");
    other_ = std::make_unique<LoopbackServer>([this](httplib::Server& s) { s.set_mount_point("/", dir_.path()); });
    server_ = std::make_unique<LoopbackServer>([this](httplib::Server& s) {
      s.set_mount_point("/", dir_.path());
      s.Get("/moved", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/page.json"); });
      s.Get("/to-other", [this](const httplib::Request&, httplib::Response& res) {
        res.set_redirect(other_->url("/page.json"));
      });
      s.Get("/to-file", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("file:///etc/passwd"); });
      s.Get("/many-headers", [](const httplib::Request&, httplib::Response& res) {
        for (int i = 0; i < 2000; ++i) res.set_header("X-Filler-" + std::to_string(i), std::string(60, 'a'));
        res.set_content("{}", "application/json");
      });
      s.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
        // 20 chunks 150 ms apart: 3 s in all, each chunk well within the read timeout.
        res.set_chunked_content_provider("application/json", [](std::size_t offset, httplib::DataSink& sink) {
          if (offset >= 20) {
            sink.done();
            return true;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(150));
          return sink.write(" ", 1);
        });
      });
    });
  }

  std::string failure(const SourcePolicy& policy, const std::string& url, ErrorKind expected) {
    std::string message;
    EXPECT_EQ(error_kind([&] { Fetcher(policy).fetch(url); }, &message), expected) << message;
    return message;
  }

  TempDir dir_;
  std::unique_ptr<LoopbackServer> other_;
  std::unique_ptr<LoopbackServer> server_;
};

TEST_F(PolicyFetch, LoopbackIsRefusedUnlessAllowed) {
  const std::string url = server_->url("/page.json");
  EXPECT_EQ(failure(untrusted_sources(), url, ErrorKind::forbidden),
            url + ": the host 127.0.0.1 is at 127.0.0.1, a loopback address; private and loopback addresses are not "
                  "fetched");
  const std::string by_name = "http://localhost:" + std::to_string(server_->port()) + "/page.json";
  EXPECT_TRUE(contains(failure(untrusted_sources(), by_name, ErrorKind::forbidden), "a loopback address"));

  SourcePolicy listed = untrusted_sources();
  listed.allowed_hosts = {"127.0.0.1:" + std::to_string(server_->port())};
  EXPECT_EQ(Fetcher(listed).fetch(url), R"({"hello": "world"})");
  EXPECT_EQ(Fetcher(listed).fetch(by_name), R"({"hello": "world"})");  // localhost is at 127.0.0.1
  EXPECT_EQ(failure(listed, other_->url("/page.json"), ErrorKind::forbidden),
            other_->url("/page.json") + ": the host 127.0.0.1 (127.0.0.1) at port " + std::to_string(other_->port()) +
                " is not one of the allowed hosts");

  SourcePolicy private_ok = untrusted_sources();
  private_ok.allow_private_addresses = true;
  EXPECT_EQ(Fetcher(private_ok).fetch(url), R"({"hello": "world"})");
}

TEST_F(PolicyFetch, EveryRedirectIsCheckedLikeTheFirstUrl) {
  SourcePolicy listed = untrusted_sources();
  listed.allowed_hosts = {"127.0.0.1:" + std::to_string(server_->port())};
  EXPECT_EQ(Fetcher(listed).fetch(server_->url("/moved")), R"({"hello": "world"})");
  const std::string to_other = server_->url("/to-other");
  EXPECT_EQ(failure(listed, to_other, ErrorKind::forbidden),
            to_other + ": redirected to " + other_->url("/page.json") +
                ": the host 127.0.0.1 (127.0.0.1) at port " + std::to_string(other_->port()) +
                " is not one of the allowed hosts");
  const std::string to_file = server_->url("/to-file");
  EXPECT_EQ(failure(SourcePolicy{}, to_file, ErrorKind::forbidden),
            to_file + ": redirected to file:///etc/passwd, which is not an http(s) URL");

  SourcePolicy no_redirects;
  no_redirects.max_redirects = 0;
  EXPECT_EQ(failure(no_redirects, server_->url("/moved"), ErrorKind::io), server_->url("/moved") + ": more than 0 redirects");
}

TEST_F(PolicyFetch, PageSizeAndTimeLimits) {
  SourcePolicy small;
  small.max_page_bytes = 4096;
  const std::string big = server_->url("/big.json");
  EXPECT_EQ(failure(small, big, ErrorKind::io), big + ": the response is larger than the 4 KiB limit");
  EXPECT_EQ(failure(small, dir_.file("big.json"), ErrorKind::io),
            dir_.file("big.json") + ": the file is larger than the 4 KiB limit");
  EXPECT_EQ(Fetcher(small).fetch(server_->url("/page.json")), R"({"hello": "world"})");

  // Headers are held to 64 KiB whatever the page limit: a server cannot make us keep an endless header list.
  const std::string many = server_->url("/many-headers");
  EXPECT_EQ(failure(SourcePolicy{}, many, ErrorKind::io), many + ": the response headers are larger than the 64 KiB limit");

  SourcePolicy quick;
  quick.max_seconds = std::chrono::seconds(1);
  const std::string slow = server_->url("/slow");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(failure(quick, slow, ErrorKind::io), slow + ": the load took longer than its 1-second limit");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2900));  // stopped before the end
  EXPECT_EQ(Fetcher().fetch(slow), std::string(20, ' '));
}

TEST_F(PolicyFetch, FilesOnlyWhenAllowed) {
  SourcePolicy no_files = untrusted_sources();
  no_files.file_hint = "see --allow-local-sources";
  for (const std::string& url : {dir_.file("page.json"), "file://" + dir_.file("page.json"), std::string("../x.json")}) {
    EXPECT_EQ(failure(no_files, url, ErrorKind::forbidden),
              url + ": files of this machine are not loaded here; give an http:// or https:// URL (see "
                    "--allow-local-sources)");
    EXPECT_EQ(error_kind([&] { check_source_url(no_files, url); }), ErrorKind::forbidden);
  }
  EXPECT_EQ(error_kind([&] { check_source_url(no_files, "ftp://h/x"); }), ErrorKind::invalid_input);
  std::string message;
  EXPECT_EQ(error_kind([&] { check_source_url(SourcePolicy{}, std::string("http://127.0.0.1\0.example.org/x", 31)); },
                       &message),
            ErrorKind::invalid_input);
  EXPECT_EQ(message, "http://127.0.0.1\\x00.example.org/x: the URL contains a control character");
  EXPECT_NO_THROW(check_source_url(no_files, "https://example.org/page.json"));
  EXPECT_EQ(Fetcher().fetch(dir_.file("page.json")), R"({"hello": "world"})");
}

// A chain is held to the policy page by page: a refused page ends it there, the pages before are kept.
TEST(PolicyChain, PageLimitAndRefusedLinksEndTheChainThere) {
  TempDir dir;
  const auto attempts = testing::synthetic_attempts("u", 0, "ab", 1, false);
  const std::string p2 = "p2.json", p3 = "p3.json", h2 = "h2.json", elsewhere = "http://localhost:1/elsewhere.json";
  dir.write("p1.json", testing::training_page_json("u1", attempts, &p2));
  dir.write("p2.json", testing::training_page_json("u2", attempts, &p3));
  dir.write("p3.json", testing::training_page_json("u3", attempts, nullptr));
  SourcePolicy two_pages;
  two_pages.max_pages = 2;
  const ChainLoad cut = load_training_chain(dir.file("p1.json"), {}, two_pages);
  EXPECT_EQ(cut.pages.size(), 2u);
  ASSERT_TRUE(cut.failure);
  EXPECT_EQ(cut.failure->page, dir.file("p3.json"));
  EXPECT_EQ(cut.failure->reason, "the chain is longer than the 2-page limit; stopped before this page");

  LoopbackServer files(dir.path());
  dir.write("h1.json", testing::training_page_json("u1", attempts, &h2));
  dir.write("h2.json", testing::training_page_json("u2", attempts, &elsewhere));
  SourcePolicy one_host;
  one_host.allowed_hosts = {"127.0.0.1:" + std::to_string(files.port())};
  const ChainLoad load = load_training_chain(files.url("/h1.json"), {}, one_host);
  EXPECT_EQ(load.pages.size(), 2u);
  ASSERT_TRUE(load.failure);
  EXPECT_EQ(load.failure->page, "http://localhost:1/elsewhere.json");
  EXPECT_TRUE(contains(load.failure->reason, "is not one of the allowed hosts")) << load.failure->reason;
  // The first page refused: nothing was loaded, the error says why.
  EXPECT_EQ(error_kind([&] { load_training_chain(files.url("/h1.json"), {}, untrusted_sources()); }),
            ErrorKind::forbidden);
}

}  // namespace
}  // namespace ksauth::ingest
