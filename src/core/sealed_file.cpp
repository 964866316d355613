#include "core/sealed_file.hpp"

#include <zlib.h>

#include <algorithm>

#include "core/binary_io.hpp"
#include "core/error.hpp"

namespace ksauth {
namespace {

constexpr std::size_t kMagicSize = 12;
constexpr std::size_t kHeaderSize = kMagicSize + 4 + 8;  // magic, version, payload size
constexpr std::size_t kTrailerSize = 4;                  // CRC-32

std::uint32_t crc_of(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  std::size_t left = bytes.size();
  while (left > 0) {  // zlib takes 32-bit lengths
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    crc = crc32(crc, p, chunk);
    p += chunk;
    left -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

std::string seal(const FileKind& kind, std::string_view payload) {
  BinaryWriter out;
  out.raw(kind.magic);
  out.u32(kind.version);
  out.u64(payload.size());
  out.raw(payload);
  out.u32(crc_of(payload));
  return out.take();
}

Unsealed unseal(const FileKind& kind, std::string_view bytes) {
  const std::string what(kind.what);
  auto corrupt = [](const std::string& message) { throw Error(ErrorKind::corrupt, message); };
  const std::string_view magic = kind.magic.substr(0, kMagicSize);
  if (bytes.size() < magic.size()) {
    if (magic.substr(0, bytes.size()) == bytes)
      corrupt("truncated " + what + ": " + std::to_string(bytes.size()) + " bytes");
    corrupt("not a ksauth " + what);
  }
  if (bytes.substr(0, magic.size()) != magic) corrupt("not a ksauth " + what);
  BinaryReader header(bytes.substr(magic.size()));
  if (header.remaining() < 4) corrupt("truncated " + what + ": the header is cut short");
  Unsealed out;
  out.version = header.u32();
  if (out.version > kind.version)
    corrupt(what + " format version " + std::to_string(out.version) + " is newer than this ksauth reads (" +
            std::to_string(kind.version) + ")");
  if (out.version == 0) corrupt(what + " format version 0 does not exist");
  if (header.remaining() < 8) corrupt("truncated " + what + ": the header is cut short");
  const std::uint64_t size = header.u64();
  const std::size_t after_header = bytes.size() - kHeaderSize;
  if (after_header < kTrailerSize || size > after_header - kTrailerSize)
    corrupt("truncated " + what + ": the header announces " + std::to_string(size) + " payload bytes, " +
            std::to_string(after_header < kTrailerSize ? 0 : after_header - kTrailerSize) + " are present");
  if (size < after_header - kTrailerSize)
    corrupt(what + " size mismatch: " + std::to_string(after_header - kTrailerSize - size) +
            " trailing bytes after the checksum");
  out.payload = bytes.substr(kHeaderSize, size);
  BinaryReader trailer(bytes.substr(kHeaderSize + size));
  if (trailer.u32() != crc_of(out.payload)) corrupt("checksum mismatch: the " + what + " is corrupted");
  return out;
}

}  // namespace ksauth
