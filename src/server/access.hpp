#pragma once
// Who may call an endpoint: the server's API token (ServerOptions::api_token), sent as
// "Authorization: Bearer TOKEN".
#include <httplib.h>

#include <string>
#include <string_view>

namespace ksauth::server {

// What an endpoint does, for the token rule: reads are open; changes need the token when the server has one;
// predictions and verifications need it when the server is told so.
enum class Access { read, prediction, change };

class AccessRule {
 public:
  AccessRule(std::string token, bool token_for_predictions)
      : token_(std::move(token)), token_for_predictions_(token_for_predictions) {}

  // "" when `req` may call an endpoint of `access`, else why not (for a 401).
  std::string refusal(const httplib::Request& req, Access access) const;

 private:
  std::string token_;  // empty: none asked
  bool token_for_predictions_;
};

// Whether `given` is `expected`, in a time that depends on expected's length only (no early exit on the first
// byte that differs, which would tell an attacker how much of a guess is right).
bool same_token(std::string_view given, std::string_view expected);

// Whether `host` (a name or address to listen on, or a client's address) is this machine only: localhost,
// 127.0.0.0/8, ::1, and 127.0.0.0/8 mapped into IPv6 (how a server on "::" sees a client on 127.0.0.1).
bool is_loopback_host(const std::string& host);

// "" when `req` may be served, else why not (for a 403): a web page elsewhere must not use a browser to reach
// this server. A request that changes something and carries an Origin must come from this server's own
// origin (a page on another site can post to a loopback server without asking first); and a server on
// loopback answers only requests addressed to a loopback name (Host), which a site that rebinds its own
// name to 127.0.0.1 cannot send.
std::string browser_refusal(const httplib::Request& req, bool listening_on_loopback);

}  // namespace ksauth::server
