// A 128-bit UUID as Kafka carries topic ids: 16 bytes on the wire, shown as
// base64url without padding (22 characters, Kafka's Uuid.toString), and all
// zeros meaning "no id" (Kafka's ZERO_UUID).
//
// Invariant: random_v4() never returns the zero id, Kafka's reserved metadata
// topic id (0...01), or an id whose text starts with '-' (Kafka's tools would
// read it as a command-line option), so every id it mints is one Kafka accepts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

struct Uuid {
  std::array<uint8_t, 16> bytes{};

  bool is_zero() const;
  bool operator==(const Uuid&) const = default;
  auto operator<=>(const Uuid&) const = default;

  // RFC 4122 version 4, from the per-thread generator of common/random_id.h.
  static Uuid random_v4();
  std::string to_string() const;
  // The inverse of to_string(); nullopt for anything else (wrong length,
  // padding, a character outside base64url, non-zero trailing bits).
  static std::optional<Uuid> parse(std::string_view text);
};

}  // namespace sluice
