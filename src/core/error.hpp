#pragma once
// Typed errors of the library. Only cli/ and server/ turn them into messages and exit codes / statuses.
#include <stdexcept>
#include <string>

namespace ksauth {

enum class ErrorKind {
  invalid_input,  // the user's input is wrong: a bad URL, page, parameter or name
  not_found,      // a named thing (model, data set, page) does not exist
  conflict,       // a name already in use
  corrupt,        // a stored file or blob fails its checks
  io,             // the network or the disk failed
  cancelled,      // the user asked to stop
  forbidden,      // refused by a rule: a source the policy does not allow, a request without its token
  unavailable,    // this installation lacks a part the work needs (the libtorch plugin of the neural models)
};

// What a client is told of an Error(unavailable), whose own text names this machine's files.
inline constexpr const char* kUnavailableMessage =
    "this installation cannot do that: a part it needs is missing (the server's log says which)";

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

const char* to_string(ErrorKind kind);

// Whether a file loader passes an Error on as it is rather than as the file's damage: already corrupt, or a
// failure of this machine (io; unavailable: no libtorch plugin), not of the file.
inline bool passes_through_loading(ErrorKind kind) {
  return kind == ErrorKind::corrupt || kind == ErrorKind::io || kind == ErrorKind::unavailable;
}

// Inside a catch block, for stored data that cannot be read back: throws Error(corrupt, "THING: WHY (detail)").
// The detail is an Error's message; another exception's (a library's, which may quote the damaged bytes) is
// not shown.
[[noreturn]] void rethrow_as_corrupt(const std::string& thing, const std::string& why);

}  // namespace ksauth
