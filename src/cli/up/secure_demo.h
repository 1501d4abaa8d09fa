// `sluice up --secure`: the whole demo behind a SASL_SSL listener, as a worked
// example of running sluice against a secured cluster. Everything it needs is
// made under DATA/security/ and reused by the next `sluice up --secure`:
//
//   ca.pem, ca.key, broker.pem, broker.key   TLS (demo_certificates.h)
//   sluice.password      the stage user's random password (mode 0600)
//   client.properties    librdkafka settings with the password (mode 0600): kcat -F
//   profile.yaml         a sluice profile naming the password file: SLUICE_CONFIG
//
// The stage user `sluice` gets a SCRAM-SHA-512 credential in the broker's data
// dir before the broker starts (re-set at every start from the password file,
// so a wiped broker dir heals) and is the broker's only super user; no ACLs.
// Every process `sluice up` starts, and `sluice up` itself, logs in as it
// through the environment (client_environment()); a login inherited from the
// operator's own environment or profile would only get in the way, so it is
// set aside for this run (and said so).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/up/data_dir.h"
#include "cli/up/demo_certificates.h"
#include "kafka/types.h"

namespace sluice::cli {

class SecureDemo {
 public:
  // Makes or reuses the files and sets the user's credential in BROKER_DATA_DIR.
  SecureDemo(const std::filesystem::path& data_dir, const std::filesystem::path& broker_data_dir);

  // Flags for `sluice broker` beside --listen.
  std::vector<std::string> broker_args() const;
  // SLUICE_* variables for this process and every child: the login, and the
  // demo's profile (SLUICE_CONFIG) instead of the operator's.
  EnvVars client_environment() const;
  // Writes client.properties and profile.yaml for the broker at `bootstrap` and
  // returns the lines telling an operator how to connect.
  std::string publish_connection(const std::string& bootstrap, const std::string& data_dir) const;

 private:
  std::filesystem::path dir_;
  DemoCertificates certificates_;
  std::string password_file_;
  std::string profile_file_;
};

// A `sluice up` without --secure removes the connection files of an earlier
// secure run (keeping its CA and password for the next one), so nothing finds
// a login for a broker that no longer asks for one.
void forget_secure_demo_connection(const std::filesystem::path& data_dir);

}  // namespace sluice::cli
