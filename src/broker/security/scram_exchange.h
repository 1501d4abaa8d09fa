// The server side of a SCRAM exchange (RFC 5802 section 5, RFC 7677), two
// rounds:
//
//   client-first  "n,,n=USER,r=CNONCE"        -> server-first "r=CNONCE SNONCE,s=SALT,i=ITER"
//   client-final  "c=biws,r=NONCE,p=PROOF"    -> server-final "v=SERVER_SIGNATURE"
//
// The proof is checked against StoredKey: H(proof XOR HMAC(StoredKey, AuthMessage))
// must equal StoredKey. An unknown user gets a made-up salt and fails at the
// proof like a wrong password does, so the exchange never reveals who exists.
// Channel binding is not offered (gs2 flag "p=" is refused), nor delegation tokens.
#pragma once

#include <functional>
#include <optional>

#include "broker/security/sasl_mechanism.h"
#include "broker/security/scram_credential_store.h"

namespace sluice::broker::security {

class ScramExchange final : public SaslMechanismServer {
 public:
  // `server_nonce` makes the server's random part; tests pass a fixed one.
  using NonceSource = std::function<std::string()>;
  ScramExchange(ScramMechanism m, const ScramCredentialStore& store,
                NonceSource server_nonce = random_nonce);
  SaslStep step(std::string_view client_token) override;

  static std::string random_nonce();

 private:
  SaslStep client_first(std::string_view message);
  SaslStep client_final(std::string_view message);
  SaslStep fail_credentials() const;

  ScramMechanism mechanism_;
  const ScramCredentialStore& store_;
  NonceSource server_nonce_;
  enum class Stage { kFirst, kFinal, kOver } stage_ = Stage::kFirst;
  std::string user_;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;
  std::optional<ScramCredential> credential_;  // empty: unknown user, bound to fail
};

}  // namespace sluice::broker::security
