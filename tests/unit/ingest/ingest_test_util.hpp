#pragma once
// Helpers for the ingest tests: a temporary directory, a loopback HTTP server, the real data's place.
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ksauth::ingest::testing {

// A fresh directory under the system's temp dir, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ksauth-ingest-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

  // Writes `content` to `name` (sub-directories created) and returns the file's path.
  std::string write(const std::string& name, const std::string& content) const {
    const std::filesystem::path p = file(name);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + p.string());
    return p.string();
  }

 private:
  std::string path_;
};

// httplib::Server on 127.0.0.1 and a free port, listening in its own thread until destroyed.
// `setup` adds mount points and handlers before the server starts.
class LoopbackServer {
 public:
  explicit LoopbackServer(const std::function<void(httplib::Server&)>& setup) {
    setup(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running()) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("the loopback server did not start");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// The shared data (read-only): $KSAUTH_DATA_DIR, else ../shared/data from the current directory, else
// the path given at build time (beside the source tree). nullopt when none exists.
inline std::optional<std::string> data_dir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("KSAUTH_DATA_DIR"); env && *env) candidates.emplace_back(env);
  candidates.emplace_back("../shared/data");
#ifdef KSAUTH_DEFAULT_DATA_DIR
  candidates.emplace_back(KSAUTH_DEFAULT_DATA_DIR);
#endif
  for (const auto& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec))
      return std::filesystem::absolute(dir).lexically_normal().string();
  }
  return std::nullopt;
}

}  // namespace ksauth::ingest::testing
