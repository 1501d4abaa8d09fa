#include "broker/security/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace sluice::broker::security {
namespace {

const EVP_MD* digest(ScramMechanism m) {
  return m == ScramMechanism::kSha256 ? EVP_sha256() : EVP_sha512();
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string_view mechanism_name(ScramMechanism m) {
  return m == ScramMechanism::kSha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

std::optional<ScramMechanism> scram_mechanism_named(std::string_view name) {
  if (name == "SCRAM-SHA-256") return ScramMechanism::kSha256;
  if (name == "SCRAM-SHA-512") return ScramMechanism::kSha512;
  return std::nullopt;
}

std::optional<ScramMechanism> scram_mechanism_from_code(int8_t code) {
  if (code == int8_t(ScramMechanism::kSha256)) return ScramMechanism::kSha256;
  if (code == int8_t(ScramMechanism::kSha512)) return ScramMechanism::kSha512;
  return std::nullopt;
}

std::string salted_password(ScramMechanism m, std::string_view password, std::string_view salt,
                            int32_t iterations) {
  std::string out(size_t(EVP_MD_get_size(digest(m))), '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), bytes(salt), int(salt.size()),
                        iterations, digest(m), int(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    throw std::runtime_error("PBKDF2 failed in libcrypto");
  }
  return out;
}

ScramKeys keys_from_salted_password(ScramMechanism m, std::string_view salted) {
  return {hash(m, hmac(m, salted, "Client Key")), hmac(m, salted, "Server Key")};
}

std::string hmac(ScramMechanism m, std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (!HMAC(digest(m), key.data(), int(key.size()), bytes(data), data.size(),
            reinterpret_cast<unsigned char*>(out.data()), &len)) {
    throw std::runtime_error("HMAC failed in libcrypto");
  }
  out.resize(len);
  return out;
}

std::string hash(ScramMechanism m, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                 digest(m), nullptr) != 1) {
    throw std::runtime_error("digest failed in libcrypto");
  }
  out.resize(len);
  return out;
}

std::string xor_bytes(std::string_view a, std::string_view b) {
  std::string out(a);
  for (size_t i = 0; i < out.size() && i < b.size(); ++i) out[i] = char(out[i] ^ b[i]);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), int(n)) != 1) {
    throw std::runtime_error("the system's random source failed (libcrypto RAND_bytes)");
  }
  return out;
}

}  // namespace sluice::broker::security
