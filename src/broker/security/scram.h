// The SCRAM arithmetic of RFC 5802 section 3, for SHA-256 and SHA-512 (RFC 7677
// and Kafka's SCRAM-SHA-512), over OpenSSL's libcrypto. Byte strings are held in
// std::string; nothing here keeps state or touches the network.
//
//   SaltedPassword = Hi(password, salt, i)          (PBKDF2-HMAC-H)
//   ClientKey      = HMAC(SaltedPassword, "Client Key")
//   StoredKey      = H(ClientKey)
//   ServerKey      = HMAC(SaltedPassword, "Server Key")
//
// A server keeps StoredKey and ServerKey only: they verify a client's proof and
// sign the server's answer, but neither yields the password nor lets anyone log in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::broker::security {

enum class ScramMechanism : int8_t {
  // Values are Kafka's ScramMechanism codes (Describe/AlterUserScramCredentials).
  kSha256 = 1,
  kSha512 = 2,
};

inline constexpr int32_t kMinScramIterations = 4096;   // RFC 7677's minimum, Kafka's too
inline constexpr int32_t kMaxScramIterations = 16384;  // Kafka's upper bound

std::string_view mechanism_name(ScramMechanism m);  // "SCRAM-SHA-256"
std::optional<ScramMechanism> scram_mechanism_named(std::string_view name);
std::optional<ScramMechanism> scram_mechanism_from_code(int8_t code);

struct ScramKeys {
  std::string stored_key;
  std::string server_key;
};

std::string salted_password(ScramMechanism m, std::string_view password, std::string_view salt,
                            int32_t iterations);
ScramKeys keys_from_salted_password(ScramMechanism m, std::string_view salted_password);
std::string hmac(ScramMechanism m, std::string_view key, std::string_view data);
std::string hash(ScramMechanism m, std::string_view data);
std::string xor_bytes(std::string_view a, std::string_view b);  // same length required

// Compares without an early exit, so timing says nothing about where secrets differ.
bool constant_time_equal(std::string_view a, std::string_view b);
// Cryptographically random bytes (salts, nonces); throws if the system has none.
std::string random_bytes(size_t n);

}  // namespace sluice::broker::security
