// `sluice users ... --data-dir DIR`: the credential file of a stopped broker,
// changed in place (crash-safely, by the broker's own ScramCredentialStore).
// A running broker would not see the change and would overwrite it at its next
// credential change, so this is for bootstrapping, like Kafka's
// `kafka-storage format --add-scram`.
#pragma once

#include <filesystem>

#include "broker/security/scram_credential_store.h"
#include "cli/users/credential_admin.h"

namespace sluice::cli {

class OfflineCredentials final : public CredentialAdmin {
 public:
  explicit OfflineCredentials(const std::filesystem::path& data_dir);
  std::vector<UserCredentials> list() override;
  void upsert(const std::string& user, ScramMechanism m, int32_t iterations,
              const std::string& password) override;
  void remove(const std::string& user, ScramMechanism m) override;

 private:
  broker::security::ScramCredentialStore store_;
};

}  // namespace sluice::cli
