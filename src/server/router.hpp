#pragma once
// Routes of the API on an httplib::Server: every handler's ksauth::Error becomes its status and
// {"error": ...}; a path of the API with no route is 404, a path served only for other methods is 405.
#include <httplib.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

namespace ksauth::server {

class Router {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit Router(httplib::Server& http) : http_(http) {}

  // `pattern` is a regex over the whole path (its groups in req.matches).
  void get(const std::string& pattern, Handler handler);
  void post(const std::string& pattern, Handler handler);
  void del(const std::string& pattern, Handler handler);
  // After every route: 404 / 405 for any other request under `prefix`. The Router may be dropped after.
  void finish(const std::string& prefix);

 private:
  void remember(const std::string& method, const std::string& pattern);

  httplib::Server& http_;
  std::vector<std::pair<std::string, std::regex>> routes_;  // method, pattern
};

}  // namespace ksauth::server
