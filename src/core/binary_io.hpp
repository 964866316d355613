#pragma once
// Little-endian binary encoding for our own file formats. The reader checks every bound and throws
// Error(corrupt) instead of reading past the end: a damaged file can never make it misbehave.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ksauth {

class BinaryWriter {
 public:
  void u8(std::uint8_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void f64(double v);
  void str(std::string_view s);  // u64 length + bytes
  void f64s(const std::vector<double>& v);
  void strs(const std::vector<std::string>& v);  // u64 count + each str
  void i32s(const std::vector<std::int32_t>& v);
  void raw(std::string_view bytes) { out_.append(bytes); }
  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view bytes) : in_(bytes) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  double f64();
  std::string str();
  std::vector<double> f64s();
  std::vector<std::string> strs();
  std::vector<std::int32_t> i32s();
  std::string_view raw(std::size_t n);
  // A count read from the file, checked against what the rest of the file could hold.
  std::size_t count(std::size_t bytes_per_item);
  std::size_t remaining() const { return in_.size() - pos_; }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace ksauth
