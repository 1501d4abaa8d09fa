#include "common/uuid.h"

#include <algorithm>

#include "common/base64.h"
#include "common/random_id.h"

namespace sluice {

bool Uuid::is_zero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

Uuid Uuid::random_v4() {
  Uuid id;
  do {
    random_bytes(id.bytes.data(), int(id.bytes.size()));
    id.bytes[6] = uint8_t((id.bytes[6] & 0x0f) | 0x40);  // version 4
    id.bytes[8] = uint8_t((id.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    // The version bits already rule out the zero and the metadata id; a first
    // byte of 0xf8-0xfb would make the text start with '-'.
  } while ((id.bytes[0] & 0xfc) == 0xf8);
  return id;
}

std::string Uuid::to_string() const {
  std::string text =
      base64::encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  text.erase(std::remove(text.begin(), text.end(), '='), text.end());
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != 22) return std::nullopt;
  std::string padded(text);
  for (char& c : padded) {
    if (c == '+' || c == '/') return std::nullopt;  // base64url only
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  auto raw = base64::decode(padded + "==");
  if (!raw || raw->size() != 16) return std::nullopt;
  Uuid id;
  std::copy(raw->begin(), raw->end(), id.bytes.begin());
  return id;
}

}  // namespace sluice
