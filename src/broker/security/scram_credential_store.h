// The broker's SCRAM credentials: per user and mechanism, the salt, iteration
// count, StoredKey and ServerKey of RFC 5802 — never a password. PLAIN logins
// are checked against the same entries (see plain_exchange.h).
//
// Persistence: <data-dir>/security/scram-credentials, in the text format of
// docs/formats/scram-credentials.md. Every change rewrites the whole file with
// write_file_atomically (temp file, fsync, rename, fsync of the directory), so a
// crash leaves the old or the new set, never a mix; the in-memory view changes
// only after the file has. The store is shared by all connections (thread-safe).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/security/scram.h"

namespace sluice::broker::security {

struct ScramCredential {
  std::string salt;
  int32_t iterations = kMinScramIterations;
  std::string stored_key;
  std::string server_key;

  // A new credential with a random salt: what `sluice users add` and the
  // offline bootstrap compute; the password itself goes no further.
  static ScramCredential from_password(ScramMechanism m, std::string_view password,
                                       int32_t iterations = kMinScramIterations);
  // What AlterUserScramCredentials carries: the client salted the password.
  static ScramCredential from_salted_password(ScramMechanism m, std::string salt,
                                              int32_t iterations, std::string_view salted);
};

class ScramCredentialStore {
 public:
  using UserCredentials = std::map<ScramMechanism, ScramCredential>;

  // Loads the file under `data_dir` if there is one. Throws std::runtime_error
  // naming the file and line when it is not in the documented format.
  explicit ScramCredentialStore(const std::filesystem::path& data_dir);

  static std::filesystem::path file_in(const std::filesystem::path& data_dir);

  std::optional<ScramCredential> find(const std::string& user, ScramMechanism m) const;
  // The user's mechanisms; empty when the user has no credential.
  UserCredentials of_user(const std::string& user) const;
  std::map<std::string, UserCredentials> all() const;

  // Both persist before returning and throw std::runtime_error if the file
  // cannot be written (then nothing changed). remove() returns false when the
  // user had no credential for `m`.
  void upsert(const std::string& user, ScramMechanism m, ScramCredential credential);
  bool remove(const std::string& user, ScramMechanism m);

 private:
  void save_locked() const;

  std::filesystem::path file_;
  mutable std::mutex mu_;
  std::map<std::string, UserCredentials> users_;
};

}  // namespace sluice::broker::security
