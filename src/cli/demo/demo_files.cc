#include "cli/demo/demo_files.h"

#include <algorithm>
#include <string_view>

#include "cli/demo/demo_plan.h"

namespace sluice::cli::demo {
namespace {

constexpr std::string_view kHeader = "%PDF-1.4\n% sluice demo attachment\n";
constexpr std::string_view kTrailer = "\n%%EOF\n";

// Byte `offset` of the filler, given `word` = mix64(content ^ offset / 8): one
// mix per 8 bytes, so serving a file costs a few nanoseconds per byte (the
// attachment server shares the cores with the pipeline it feeds).
char filler(uint64_t word, int64_t offset) {
  if (offset % 64 == 63) return '\n';
  return char(' ' + (word >> (8 * (offset % 8))) % 95);  // printable ASCII
}

// Writes filler bytes [begin, end) to out[0, end - begin).
void write_filler(uint64_t content, int64_t begin, int64_t end, char* out) {
  for (int64_t i = begin; i < end;) {
    uint64_t word = mix64(content ^ uint64_t(i / 8));
    int64_t group_end = std::min(end, (i / 8 + 1) * 8);
    for (; i < group_end; ++i) *out++ = filler(word, i);
  }
}

// Overwrites the part of [begin, end) that falls in `text`, which sits at file
// offsets [at, at + text.size()).
void overlay(std::string_view text, int64_t at, int64_t begin, int64_t end, char* out) {
  int64_t from = std::max(begin, at);
  int64_t to = std::min(end, at + int64_t(text.size()));
  for (int64_t i = from; i < to; ++i) out[i - begin] = text[size_t(i - at)];
}

}  // namespace

void append_pdf_bytes(uint64_t content, int64_t size, int64_t offset, size_t length,
                      std::string& out) {
  int64_t end = std::min(size, offset + int64_t(length));
  if (end <= offset) return;
  size_t start = out.size();
  out.resize(start + size_t(end - offset));
  char* dst = out.data() + start;
  write_filler(content, offset, end, dst);
  // A file too small for both keeps its filler; otherwise the trailer wins where
  // the two would overlap.
  int64_t trailer_at = size - int64_t(kTrailer.size());
  if (trailer_at < 0) return;
  overlay(kHeader.substr(0, size_t(std::min<int64_t>(int64_t(kHeader.size()), trailer_at))), 0,
          offset, end, dst);
  overlay(kTrailer, trailer_at, offset, end, dst);
}

std::string pdf_file(uint64_t content, int64_t size) {
  std::string out;
  append_pdf_bytes(content, size, 0, size_t(size), out);
  return out;
}

}  // namespace sluice::cli::demo
