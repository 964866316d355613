#include "core/binary_io.hpp"

#include <bit>
#include <cstring>

#include "core/error.hpp"

namespace ksauth {
namespace {

template <typename T>
void put(std::string& out, T v) {
  static_assert(std::endian::native == std::endian::little, "ksauth's file formats assume little-endian");
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

}  // namespace

void BinaryWriter::u8(std::uint8_t v) { put(out_, v); }
void BinaryWriter::u32(std::uint32_t v) { put(out_, v); }
void BinaryWriter::u64(std::uint64_t v) { put(out_, v); }
void BinaryWriter::f64(double v) { put(out_, v); }
void BinaryWriter::str(std::string_view s) {
  u64(s.size());
  out_.append(s);
}
void BinaryWriter::f64s(const std::vector<double>& v) {
  u64(v.size());
  for (double x : v) f64(x);
}

void BinaryWriter::strs(const std::vector<std::string>& v) {
  u64(v.size());
  for (const auto& s : v) str(s);
}
void BinaryWriter::i32s(const std::vector<std::int32_t>& v) {
  u64(v.size());
  for (std::int32_t x : v) u32(static_cast<std::uint32_t>(x));
}

std::string_view BinaryReader::raw(std::size_t n) {
  if (n > remaining()) throw Error(ErrorKind::corrupt, "truncated data");
  const std::string_view out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

namespace {
template <typename T>
T get(BinaryReader& r) {
  T v;
  const std::string_view bytes = r.raw(sizeof(T));
  std::memcpy(&v, bytes.data(), sizeof(T));
  return v;
}
}  // namespace

std::uint8_t BinaryReader::u8() { return get<std::uint8_t>(*this); }
std::uint32_t BinaryReader::u32() { return get<std::uint32_t>(*this); }
std::uint64_t BinaryReader::u64() { return get<std::uint64_t>(*this); }
double BinaryReader::f64() { return get<double>(*this); }

std::size_t BinaryReader::count(std::size_t bytes_per_item) {
  const std::uint64_t n = u64();
  if (bytes_per_item > 0 && n > remaining() / bytes_per_item) throw Error(ErrorKind::corrupt, "count exceeds data");
  return static_cast<std::size_t>(n);
}

std::string BinaryReader::str() {
  const std::size_t n = count(1);
  return std::string(raw(n));
}

std::vector<double> BinaryReader::f64s() {
  const std::size_t n = count(sizeof(double));
  std::vector<double> v(n);
  for (auto& x : v) x = f64();
  return v;
}

std::vector<std::string> BinaryReader::strs() {
  std::vector<std::string> v(count(8));  // each string takes at least its u64 length
  for (auto& s : v) s = str();
  return v;
}

std::vector<std::int32_t> BinaryReader::i32s() {
  const std::size_t n = count(sizeof(std::uint32_t));
  std::vector<std::int32_t> v(n);
  for (auto& x : v) x = static_cast<std::int32_t>(u32());
  return v;
}

}  // namespace ksauth
