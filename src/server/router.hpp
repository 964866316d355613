#pragma once
// Routes of the API on an httplib::Server: every handler's ksauth::Error becomes its status and
// {"error": ...}; a path of the API with no route is 404, a path served only for other methods is 405. A request
// the access rule refuses (server/access.hpp) is 401 before its handler runs.
#include <httplib.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "server/access.hpp"

namespace ksauth::server {

class Router {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  // `db_path` is the server's database, which error messages name as "the database": where the server keeps
  // its files is not for its clients.
  Router(httplib::Server& http, AccessRule access, std::string db_path)
      : http_(http), access_(std::move(access)), db_path_(std::move(db_path)) {}

  // `pattern` is a regex over the whole path (its groups in req.matches). A GET reads; a POST or DELETE
  // changes something unless it says otherwise.
  void get(const std::string& pattern, Handler handler);
  void post(const std::string& pattern, Handler handler, Access access = Access::change);
  void del(const std::string& pattern, Handler handler);
  // After every route: 404 / 405 for any other request under `prefix`. The Router may be dropped after.
  void finish(const std::string& prefix);

 private:
  void remember(const std::string& method, const std::string& pattern);
  Handler guarded(Handler handler, Access access) const;

  httplib::Server& http_;
  AccessRule access_;
  std::string db_path_;
  std::vector<std::pair<std::string, std::regex>> routes_;  // method, pattern
};

}  // namespace ksauth::server
