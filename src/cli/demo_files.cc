#include "cli/demo_files.h"

#include <algorithm>
#include <string_view>

#include "cli/demo_plan.h"

namespace sluice::cli::demo {
namespace {

constexpr std::string_view kHeader = "%PDF-1.4\n% sluice demo attachment\n";
constexpr std::string_view kTrailer = "\n%%EOF\n";

char filler(uint64_t content, int64_t offset) {
  uint64_t word = mix64(content ^ uint64_t(offset / 8));
  char c = char(' ' + (word >> (8 * (offset % 8))) % 95);  // printable ASCII
  return offset % 64 == 63 ? '\n' : c;
}

}  // namespace

void append_pdf_bytes(uint64_t content, int64_t size, int64_t offset, size_t length,
                      std::string& out) {
  int64_t end = std::min(size, offset + int64_t(length));
  int64_t trailer_at = size - int64_t(kTrailer.size());
  for (int64_t i = offset; i < end; ++i) {
    if (i < int64_t(kHeader.size()) && i < trailer_at) {
      out += kHeader[size_t(i)];
    } else if (i >= trailer_at && trailer_at >= 0) {
      out += kTrailer[size_t(i - trailer_at)];
    } else {
      out += filler(content, i);
    }
  }
}

std::string pdf_file(uint64_t content, int64_t size) {
  std::string out;
  out.reserve(size_t(size));
  append_pdf_bytes(content, size, 0, size_t(size), out);
  return out;
}

}  // namespace sluice::cli::demo
