// What `sluice users` does to SCRAM credentials, whichever way it reaches them:
// online through a running broker's Describe/AlterUserScramCredentials
// (online_credentials.h), or offline in a stopped broker's data dir
// (offline_credentials.h), which is how the first admin user is bootstrapped.
// Failures throw std::runtime_error worded for an operator.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "broker/security/scram.h"

namespace sluice::cli {

using broker::security::ScramMechanism;

struct UserCredentials {
  std::string user;
  std::map<ScramMechanism, int32_t> iterations;  // per mechanism the user has
};

class CredentialAdmin {
 public:
  virtual ~CredentialAdmin() = default;
  virtual std::vector<UserCredentials> list() = 0;
  // Creates or replaces the user's credential for `m`; the password is salted
  // here and goes no further.
  virtual void upsert(const std::string& user, ScramMechanism m, int32_t iterations,
                      const std::string& password) = 0;
  // Throws when the user has no credential for `m`.
  virtual void remove(const std::string& user, ScramMechanism m) = 0;
};

}  // namespace sluice::cli
