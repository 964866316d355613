// Mapping files into memory: the bytes, the zeros after them, and a file that gets shorter while mapped
// (which would otherwise kill the process with SIGBUS).
#include "ingest/mapped_file.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "ingest/fetch.hpp"
#include "support/fixtures.hpp"

namespace ksauth::ingest {
namespace {

using testing::TempDir;

// An open file descriptor, closed with the object.
struct Fd {
  explicit Fd(const std::string& path, int flags = O_RDONLY) : fd(::open(path.c_str(), flags)) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
};

// Reads every byte, as a parser would; volatile so that the reads are made.
std::size_t count_nonzero(std::string_view bytes) {
  std::size_t n = 0;
  for (const char& c : bytes) n += *static_cast<const volatile char*>(&c) != 0;
  return n;
}

TEST(MappedFile, HoldsTheBytesFollowedByZeros) {
  const TempDir dir;
  const std::string content = "{\"a\": 1}";
  const Fd file(dir.write("p.json", content));
  MappedFile mapped;
  ASSERT_TRUE(mapped.map(file.fd, content.size(), 64));
  EXPECT_TRUE(mapped.mapped());
  EXPECT_EQ(mapped.bytes(), content);
  for (std::size_t i = 0; i < 64; ++i) EXPECT_EQ(mapped.bytes().data()[content.size() + i], 0) << i;
  EXPECT_TRUE(mapped.intact());
  mapped.reset();
  EXPECT_FALSE(mapped.mapped());
  EXPECT_TRUE(mapped.bytes().empty());
}

TEST(MappedFile, PaddingPastAWholePageIsZeros) {
  const TempDir dir;
  const std::string content(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)), 'x');  // ends on a page boundary
  const Fd file(dir.write("p.json", content));
  MappedFile mapped;
  ASSERT_TRUE(mapped.map(file.fd, content.size(), 64));
  EXPECT_EQ(count_nonzero(mapped.bytes()), content.size());
  for (std::size_t i = 0; i < 64; ++i) EXPECT_EQ(mapped.bytes().data()[content.size() + i], 0) << i;
}

TEST(MappedFile, EmptyFile) {
  const TempDir dir;
  const Fd file(dir.write("empty.json", ""));
  MappedFile mapped;
  ASSERT_TRUE(mapped.map(file.fd, 0, 64));
  EXPECT_TRUE(mapped.bytes().empty());
  EXPECT_EQ(mapped.bytes().data()[0], 0);
}

TEST(MappedFile, AFileTruncatedWhileMappedReadsAsZerosAndIsNotIntact) {
  const TempDir dir;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::string content(5 * page + 100, 'k');
  const std::string path = dir.write("shrinking.json", content);
  const Fd file(path);
  MappedFile mapped;
  ASSERT_TRUE(mapped.map(file.fd, content.size(), 64));
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(page)), 0);
  // Without the handler this read is a SIGBUS: the pages past the new end are gone.
  EXPECT_EQ(count_nonzero(mapped.bytes()), page);
  EXPECT_FALSE(mapped.intact());
  mapped.reset();

  // The next mapping of the same table entry starts intact.
  const Fd again(path);
  ASSERT_TRUE(mapped.map(again.fd, page, 64));
  EXPECT_EQ(count_nonzero(mapped.bytes()), page);
  EXPECT_TRUE(mapped.intact());
}

TEST(MappedFile, OtherBusErrorsStillEndTheProcess) {
  // A SIGBUS at an address that is not one of our mappings keeps its usual effect.
  const TempDir dir;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::string path = dir.write("f", std::string(page, 'x'));
  MappedFile installs_the_handler;
  const Fd fd(path);
  ASSERT_TRUE(installs_the_handler.map(fd.fd, page, 64));
  EXPECT_DEATH(
      {
        const Fd file(path, O_RDWR);
        void* raw = ::mmap(nullptr, 2 * page, PROT_READ, MAP_SHARED, file.fd, 0);
        if (raw == MAP_FAILED) std::abort();
        (void)*static_cast<volatile char*>(static_cast<char*>(raw) + page);  // past the end of the file
        std::_Exit(0);
      },
      "");
}

TEST(FetchPage, AFileIsMappedAndADownloadHeldBothPadded) {
  const TempDir dir;
  const std::string content = R"({"user_data": [], "user_label": "u", "next": null})";
  const std::string path = dir.write("p.json", content);
  PageBytes bytes;
  fetch_page(path, bytes);
  EXPECT_EQ(bytes.view(), content);
  EXPECT_TRUE(bytes.intact());
  fetch_page("file://" + path, bytes);
  EXPECT_EQ(bytes.view(), content);
  bytes.release();
  EXPECT_TRUE(bytes.view().empty());
  EXPECT_THROW(fetch_page(dir.file("missing.json"), bytes), Error);
}

}  // namespace
}  // namespace ksauth::ingest
