#pragma once
// The envelope of ksauth's own binary files (models, verifiers): a magic string that says what the file is,
// a format version, the payload's size, the payload and its CRC-32. Opening checks all of it, so a
// truncated, foreign, newer-version or corrupted file is refused with Error(corrupt) saying why.
//
// Layout: magic (12 bytes) | u32 format version | u64 payload size | payload | u32 CRC-32 of payload.
#include <cstdint>
#include <string>
#include <string_view>

namespace ksauth {

struct FileKind {
  std::string_view magic;  // 12 bytes
  std::uint32_t version;   // the newest version this ksauth writes and reads
  std::string_view what;   // "model file", for messages
};

std::string seal(const FileKind& kind, std::string_view payload);

struct Unsealed {
  std::uint32_t version = 0;
  std::string_view payload;  // a view into the bytes given
};
Unsealed unseal(const FileKind& kind, std::string_view bytes);

}  // namespace ksauth
