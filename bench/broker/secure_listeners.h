// TLS and SASL_SSL listeners for the protocol comparison, set up as an operator
// would: a throwaway CA and a server certificate for 127.0.0.1 made with the
// `openssl` command in the scratch directory, and a SCRAM user created with
// `sluice users add --data-dir` while the broker is still stopped. The broker
// then serves PLAINTEXT (--listen), SSL and SASL_SSL at once, so the three are
// compared on one broker, one disk and one data directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "kafka_clients.h"

namespace sluice::bench {

class SecureListeners {
 public:
  // Makes the certificates under `scratch` and the user in `data_dir`, and picks
  // free loopback ports. Throws std::runtime_error with the failing command's output.
  SecureListeners(const std::string& sluice_bin, const std::filesystem::path& scratch,
                  const std::filesystem::path& data_dir);

  // Extra `sluice broker` flags: the two listeners and the certificate.
  std::vector<std::string> broker_args() const;
  // "SSL" or "SASL_SSL": where to connect and with which librdkafka settings.
  std::string bootstrap(const std::string& protocol) const;
  ClientSecurity client(const std::string& protocol) const;

 private:
  std::filesystem::path ca_pem_;
  std::filesystem::path server_pem_;
  std::filesystem::path server_key_;
  int ssl_port_ = 0;
  int sasl_ssl_port_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
int free_loopback_port();

}  // namespace sluice::bench
