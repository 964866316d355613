// Reading sources by URL (files, file:// and loopback HTTP) and resolving "next" links.
#include "ingest/fetch.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "support/fixtures.hpp"
#include "support/loopback_server.hpp"

namespace ksauth::ingest {
namespace {

using testing::LoopbackServer;
using testing::TempDir;

// The Error that fetching `url` throws; fails the test when there is none.
Error fetch_error(const std::string& url) {
  try {
    const std::string body = fetch(url);
    ADD_FAILURE() << "no error fetching " << url << " (" << body.size() << " bytes)";
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorKind::cancelled, "");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ResolveUrl, Http) {
  const std::string base = "http://example.org:8080/data/chain/page1.json?x=1#top";
  EXPECT_EQ(resolve_url(base, "page2.json"), "http://example.org:8080/data/chain/page2.json");
  EXPECT_EQ(resolve_url(base, "./page2.json"), "http://example.org:8080/data/chain/page2.json");
  EXPECT_EQ(resolve_url(base, "../other/p.json"), "http://example.org:8080/data/other/p.json");
  EXPECT_EQ(resolve_url(base, "../../../../p.json"), "http://example.org:8080/p.json");
  EXPECT_EQ(resolve_url(base, "sub/p.json?page=2"), "http://example.org:8080/data/chain/sub/p.json?page=2");
  EXPECT_EQ(resolve_url(base, "/root.json"), "http://example.org:8080/root.json");
  EXPECT_EQ(resolve_url(base, "/a/./b/../c.json"), "http://example.org:8080/a/c.json");
  EXPECT_EQ(resolve_url(base, "//cdn.example.org/p.json"), "http://cdn.example.org/p.json");
  EXPECT_EQ(resolve_url(base, "https://other.org/x/y.json"), "https://other.org/x/y.json");
  EXPECT_EQ(resolve_url(base, "HTTP://Other.org/x.json"), "HTTP://Other.org/x.json");
  EXPECT_EQ(resolve_url(base, "?page=3"), "http://example.org:8080/data/chain/page1.json?page=3");
  EXPECT_EQ(resolve_url("http://example.org", "p.json"), "http://example.org/p.json");
  EXPECT_EQ(resolve_url("https://example.org/", "p.json"), "https://example.org/p.json");
  EXPECT_EQ(resolve_url("https://example.org/dir/", "p.json"), "https://example.org/dir/p.json");
  EXPECT_EQ(resolve_url("http://h/a/b.json", "javascript:alert(1)"), "javascript:alert(1)");
}

TEST(ResolveUrl, FileUrls) {
  const std::string base = "file:///srv/data/chain/user_s002.json";
  EXPECT_EQ(resolve_url(base, "user_s003.json"), "file:///srv/data/chain/user_s003.json");
  EXPECT_EQ(resolve_url(base, "../test.json"), "file:///srv/data/test.json");
  EXPECT_EQ(resolve_url(base, "/elsewhere/p.json"), "file:///elsewhere/p.json");
  EXPECT_EQ(resolve_url(base, "my%20dir/p.json"), "file:///srv/data/chain/my%20dir/p.json");
  EXPECT_EQ(resolve_url("file://localhost/srv/a.json", "b.json"), "file://localhost/srv/b.json");
  EXPECT_EQ(resolve_url(base, "http://h/p.json"), "http://h/p.json");
}

TEST(ResolveUrl, PlainPaths) {
  EXPECT_EQ(resolve_url("data/a.json", "b.json"), "data/b.json");
  EXPECT_EQ(resolve_url("a.json", "b.json"), "b.json");
  EXPECT_EQ(resolve_url("a.json", "./b.json"), "b.json");
  EXPECT_EQ(resolve_url("./a.json", "b.json"), "b.json");
  EXPECT_EQ(resolve_url("a.json", "../b.json"), "../b.json");
  EXPECT_EQ(resolve_url("../shared/data/a.json", "b.json"), "../shared/data/b.json");
  EXPECT_EQ(resolve_url("../shared/data/a.json", "../../b.json"), "../b.json");
  EXPECT_EQ(resolve_url("data/x/a.json", "../y/b.json"), "data/y/b.json");
  EXPECT_EQ(resolve_url("/srv/data/a.json", "sub/b.json"), "/srv/data/sub/b.json");
  EXPECT_EQ(resolve_url("/srv/data/a.json", "../../../b.json"), "/b.json");
  EXPECT_EQ(resolve_url("data/a.json", "/srv/b.json"), "/srv/b.json");
  EXPECT_EQ(resolve_url("data/a.json", "file:///srv/b.json"), "file:///srv/b.json");
  EXPECT_EQ(resolve_url("data/a.json", "https://h/b.json"), "https://h/b.json");
  EXPECT_EQ(resolve_url("data/a.json", "b.json?x#y"), "data/b.json?x#y");  // a path is literal
}

TEST(PageIdentity, OneFileUnderEverySpellingAndLink) {
  const TempDir dir;
  const std::string page = dir.write("chain/page1.json", "{}");
  dir.write("chain/page2.json", "{}");
  ASSERT_EQ(::symlink(page.c_str(), dir.file("chain/link.json").c_str()), 0);
  ASSERT_EQ(::link(page.c_str(), dir.file("hard.json").c_str()), 0);
  const std::string id = page_identity(page);
  EXPECT_TRUE(id.starts_with("inode:")) << id;
  EXPECT_EQ(page_identity(dir.file("chain/../chain/./page1.json")), id);
  EXPECT_EQ(page_identity("file://" + page), id);
  EXPECT_EQ(page_identity(dir.file("chain/link.json")), id);
  EXPECT_EQ(page_identity(dir.file("hard.json")), id);
  EXPECT_NE(page_identity(dir.file("chain/page2.json")), id);
  EXPECT_EQ(page_identity(dir.file("chain/missing.json")), dir.file("chain/missing.json"));
  EXPECT_EQ(page_identity("http://h/a/../b.json"), "http://h/b.json");
}

TEST(Fetch, PlainPathAndFileUrl) {
  const TempDir dir;
  const std::string path = dir.write("my dir/page.json", "{\"a\": 1}\n");
  EXPECT_EQ(fetch(path), "{\"a\": 1}\n");
  EXPECT_EQ(fetch("file://" + dir.path() + "/my%20dir/page.json"), "{\"a\": 1}\n");
  EXPECT_EQ(fetch("file://localhost" + dir.path() + "/my%20dir/page.json#frag"), "{\"a\": 1}\n");
  EXPECT_EQ(fetch("FILE://" + dir.path() + "/my dir/page.json"), "{\"a\": 1}\n");
  const std::string empty = dir.write("empty.json", "");
  EXPECT_EQ(fetch(empty), "");
}

TEST(Fetch, MissingFileIsNotFound) {
  const TempDir dir;
  const std::string path = dir.file("nope.json");
  const Error e = fetch_error(path);
  EXPECT_EQ(e.kind(), ErrorKind::not_found);
  EXPECT_EQ(std::string(e.what()), path + ": no such file");

  const std::string url = "file://" + dir.path() + "/no%20such/x.json";
  const Error e2 = fetch_error(url);
  EXPECT_EQ(e2.kind(), ErrorKind::not_found);
  EXPECT_EQ(std::string(e2.what()), url + ": no such file");

  dir.write("file.json", "{}");
  EXPECT_EQ(fetch_error(dir.file("file.json/x.json")).kind(), ErrorKind::not_found);  // ENOTDIR
}

TEST(Fetch, DirectoryAndUnreadableFileAreIo) {
  const TempDir dir;
  const Error e = fetch_error(dir.path());
  EXPECT_EQ(e.kind(), ErrorKind::io);
  EXPECT_EQ(std::string(e.what()), dir.path() + ": is a directory, not a file");

  if (::geteuid() != 0) {  // root reads anything
    const std::string path = dir.write("secret.json", "{}");
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
    const Error e2 = fetch_error(path);
    EXPECT_EQ(e2.kind(), ErrorKind::io);
    EXPECT_EQ(std::string(e2.what()), path + ": Permission denied");
  }
}

TEST(Fetch, UnsupportedOrMalformedUrlsAreInvalidInput) {
  for (const std::string url : {"ftp://example.org/a.json", "javascript:alert(1)", "data:application/json,{}",
                                "gopher://h/x", "file://otherhost/etc/passwd", "file:relative.json",
                                "http://", "http:///path", "http://h:99999/a.json", "http://h:80x/a",
                                "http://user:pw@h/a.json", "http://bad host/a.json", "http://[::1/a.json"}) {
    const Error e = fetch_error(url);
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input) << url << ": " << e.what();
    EXPECT_TRUE(contains(e.what(), url)) << e.what();
  }
  EXPECT_TRUE(contains(fetch_error("ftp://example.org/a.json").what(), "unsupported URL scheme \"ftp:\""));
  EXPECT_EQ(fetch_error("").kind(), ErrorKind::invalid_input);
}

class FetchHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("pages/page1.json", R"({"hello": "world"})");
    dir_.write("pages/with space.json", "spaced");
    server_ = std::make_unique<LoopbackServer>([this](httplib::Server& s) {
      s.set_mount_point("/", dir_.path());
      s.Get("/error500", [](const httplib::Request&, httplib::Response& res) {
        res.status = 500;
        res.set_content("boom", "text/plain");
      });
      s.Get("/forbidden", [](const httplib::Request&, httplib::Response& res) { res.status = 403; });
      s.Get("/moved",
            [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/pages/page1.json"); });
      s.Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
      s.Get("/huge", [](const httplib::Request&, httplib::Response& res) {
        // Declares 300 MiB; the client refuses it from the header, before the body.
        res.set_content_provider(std::size_t{300} << 20, "application/json",
                                 [](std::size_t, std::size_t length, httplib::DataSink& sink) {
                                   const std::string chunk(std::min<std::size_t>(length, 1 << 16), ' ');
                                   return sink.write(chunk.data(), chunk.size());
                                 });
      });
    });
  }
  void TearDown() override { server_.reset(); }

  TempDir dir_;
  std::unique_ptr<LoopbackServer> server_;
};

TEST_F(FetchHttp, Ok) {
  EXPECT_EQ(fetch(server_->url("/pages/page1.json")), R"({"hello": "world"})");
  EXPECT_EQ(fetch(server_->url("/pages/page1.json?v=1#frag")), R"({"hello": "world"})");
  EXPECT_EQ(fetch(server_->url("/pages/with%20space.json")), "spaced");
  EXPECT_EQ(fetch(server_->url("/pages/with space.json")), "spaced");  // encoded on the way out
}

TEST_F(FetchHttp, FollowsRedirects) {
  EXPECT_EQ(fetch(server_->url("/moved")), R"({"hello": "world"})");
  const std::string url = server_->url("/loop");
  const Error e = fetch_error(url);
  EXPECT_EQ(e.kind(), ErrorKind::io);
  EXPECT_TRUE(contains(e.what(), url + ": more than 5 redirects")) << e.what();
}

TEST_F(FetchHttp, StatusErrors) {
  const std::string missing = server_->url("/pages/nope.json");
  const Error e404 = fetch_error(missing);
  EXPECT_EQ(e404.kind(), ErrorKind::not_found);
  EXPECT_EQ(std::string(e404.what()), missing + ": HTTP 404 Not Found");

  const std::string broken = server_->url("/error500");
  const Error e500 = fetch_error(broken);
  EXPECT_EQ(e500.kind(), ErrorKind::io);
  EXPECT_EQ(std::string(e500.what()), broken + ": HTTP 500 Internal Server Error");

  const Error e403 = fetch_error(server_->url("/forbidden"));
  EXPECT_EQ(e403.kind(), ErrorKind::io);
  EXPECT_EQ(std::string(e403.what()), server_->url("/forbidden") + ": HTTP 403 Forbidden");
}

TEST_F(FetchHttp, RefusesBodiesOver256MiB) {
  const std::string url = server_->url("/huge");
  const Error e = fetch_error(url);
  EXPECT_EQ(e.kind(), ErrorKind::io);
  EXPECT_EQ(std::string(e.what()), url + ": the response is larger than the 256 MiB limit");
}

TEST_F(FetchHttp, HttpsToAPlainHttpServerFailsTheHandshake) {
  const std::string url = server_->url("/pages/page1.json").replace(0, 4, "https");
  ASSERT_TRUE(url.starts_with("https://127.0.0.1:"));
  const Error e = fetch_error(url);
  EXPECT_EQ(e.kind(), ErrorKind::io);
  // libcurl's detail follows (OpenSSL's "wrong version number").
  EXPECT_TRUE(std::string(e.what()).starts_with(url + ": TLS connection failed (")) << e.what();
}

TEST(FetchHttpDown, ConnectionRefusedIsIo) {
  int port = 0;
  {
    LoopbackServer server([](httplib::Server&) {});
    port = server.port();
  }  // stopped: nothing listens on the port now
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/page.json";
  const Error e = fetch_error(url);
  EXPECT_EQ(e.kind(), ErrorKind::io);
  EXPECT_TRUE(std::string(e.what()).starts_with(url + ": could not connect (Failed to connect to 127.0.0.1 port " +
                                                std::to_string(port)))
      << e.what();
}

}  // namespace
}  // namespace ksauth::ingest
