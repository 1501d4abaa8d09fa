#include "cli/users/offline_credentials.h"

#include <stdexcept>

namespace sluice::cli {
namespace {

std::filesystem::path existing_dir(const std::filesystem::path& data_dir) {
  if (!std::filesystem::is_directory(data_dir)) {
    throw std::runtime_error("data dir " + data_dir.string() +
                             " does not exist (give the broker's --data-dir)");
  }
  return data_dir;
}

}  // namespace

OfflineCredentials::OfflineCredentials(const std::filesystem::path& data_dir)
    : data_dir_(existing_dir(data_dir)) {}

void OfflineCredentials::lock_for_change() {
  if (lock_) return;
  lock_.emplace(data_dir_, "sluice users");
  store_.reset();  // read again under the lock: the file may have changed since
}

broker::security::ScramCredentialStore& OfflineCredentials::store() {
  if (!store_) store_.emplace(data_dir_);
  return *store_;
}

std::vector<UserCredentials> OfflineCredentials::list() {
  std::vector<UserCredentials> out;
  for (const auto& [user, creds] : store().all()) {
    UserCredentials u{user, {}};
    for (const auto& [m, c] : creds) u.iterations[m] = c.iterations;
    out.push_back(std::move(u));
  }
  return out;
}

void OfflineCredentials::upsert(const std::string& user, ScramMechanism m, int32_t iterations,
                                const std::string& password) {
  lock_for_change();
  store().upsert(user, m,
                 broker::security::ScramCredential::from_password(m, password, iterations));
}

void OfflineCredentials::remove(const std::string& user, ScramMechanism m) {
  lock_for_change();
  if (!store().remove(user, m)) {
    throw std::runtime_error("user '" + user + "' has no " +
                             std::string(broker::security::mechanism_name(m)) + " credential");
  }
}

}  // namespace sluice::cli
