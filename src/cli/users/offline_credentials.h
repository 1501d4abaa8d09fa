// `sluice users ... --data-dir DIR`: the credential file of a stopped broker,
// changed in place (crash-safely, by the broker's own ScramCredentialStore).
// A running broker would not see the change and would overwrite it at its next
// credential change, so this is for bootstrapping, like Kafka's
// `kafka-storage format --add-scram`: a change is refused while the broker
// holds the data dir's lock (storage/data_dir_lock.h); listing is not.
#pragma once

#include <filesystem>
#include <optional>

#include "broker/security/scram_credential_store.h"
#include "broker/storage/data_dir_lock.h"
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
  // Taken by the first change, not for a listing: a running broker holds it,
  // and would neither see an offline change nor keep it.
  void lock_for_change();
  // The credential file, read on first use (again after the lock is taken).
  broker::security::ScramCredentialStore& store();

  std::filesystem::path data_dir_;
  std::optional<broker::DataDirLock> lock_;
  std::optional<broker::security::ScramCredentialStore> store_;
};

}  // namespace sluice::cli
