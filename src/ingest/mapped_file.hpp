#pragma once
// A regular file's bytes mapped read-only into memory, followed by zero bytes: pages are parsed where the
// kernel keeps them, without the copy a read() makes (the largest single cost of reading a chain from disk).
//
// A file that gets shorter while it is mapped would kill the process with SIGBUS when its lost part is
// read. A SIGBUS handler, installed with the first mapping, maps zeros over such a page instead and marks
// its mapping damaged, which intact() reports; faults at any other address keep their usual effect.
#include <cstddef>
#include <string_view>

namespace ksauth::ingest {

class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile() { reset(); }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Maps the first `size` bytes of the open file `fd`, followed by at least `padding` readable zero bytes.
  // False when it cannot be mapped (then nothing is held and the caller reads the file instead).
  bool map(int fd, std::size_t size, std::size_t padding);
  void reset();

  bool mapped() const { return base_ != nullptr; }
  std::string_view bytes() const { return {base_, size_}; }
  // False when the file got shorter while mapped: the part it lost read as zeros.
  bool intact() const;

 private:
  char* base_ = nullptr;
  std::size_t size_ = 0;
  std::size_t length_ = 0;  // of the whole mapping, padding included
  int region_ = -1;         // its entry in the handler's table
};

}  // namespace ksauth::ingest
