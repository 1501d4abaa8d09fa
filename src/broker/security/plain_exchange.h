// SASL PLAIN (RFC 4616): one token "authzid NUL authcid NUL password". The
// password is checked against the user's SCRAM credential by deriving the keys
// from it (Hi with the stored salt and iterations), so one credential store
// serves both mechanisms and no password is ever kept.
#pragma once

#include "broker/security/sasl_mechanism.h"
#include "broker/security/scram_credential_store.h"

namespace sluice::broker::security {

// True when `password` derives the StoredKey of one of the user's credentials.
// Costs one PBKDF2 run even for unknown users, so timing does not reveal them.
bool password_matches(const ScramCredentialStore& store, const std::string& user,
                      std::string_view password);

class PlainExchange final : public SaslMechanismServer {
 public:
  explicit PlainExchange(const ScramCredentialStore& store) : store_(store) {}
  SaslStep step(std::string_view client_token) override;

 private:
  const ScramCredentialStore& store_;
  bool used_ = false;
};

}  // namespace sluice::broker::security
