// The bytes of the demo's attachments: small fake PDFs ("%PDF-1.4" ...
// "%%EOF") whose every byte is a function of (content seed, offset), so a file
// can be produced in pieces at any offset — an oversized file is streamed
// without ever being held in memory — and is identical on every request.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::cli::demo {

inline constexpr const char* kPdfType = "application/pdf";

// Appends bytes [offset, offset + length) of a `size`-byte fake PDF to `out`.
void append_pdf_bytes(uint64_t content, int64_t size, int64_t offset, size_t length,
                      std::string& out);

// The whole file (for the small ones).
std::string pdf_file(uint64_t content, int64_t size);

}  // namespace sluice::cli::demo
