// SHA-256 computed while bytes arrive (OpenSSL EVP), so a download is hashed
// without a second pass over the body. Invariant: hex() is the digest of
// exactly the bytes given to update(), in order; call it once.
#pragma once

#include <cstddef>
#include <string>

struct evp_md_ctx_st;

namespace sluice::stages {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const char* data, size_t size);
  std::string hex();  // 64 lower-case hex digits

 private:
  evp_md_ctx_st* ctx_;
};

}  // namespace sluice::stages
