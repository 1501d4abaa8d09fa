// The TLS material of `sluice up --secure`, made with OpenSSL's C API (the
// library the broker's TLS already uses; nothing shells out to `openssl`):
// a self-signed CA and a broker certificate it signed, for the names clients
// of the demo connect to — subjectAltName DNS:localhost, IP:127.0.0.1 — so
// librdkafka's default host-name check passes.
//
// Invariant: the four files exist together or are made together. If all four
// are in DIR they are reused as they are (a restarted demo keeps its CA, so
// clients an operator configured keep working); if any is missing, all four
// are made afresh. Private keys are written with mode 0600 from their first
// byte; certificates are public. Both certificates are valid for ten years:
// delete DIR to start over with new ones.
#pragma once

#include <filesystem>
#include <string>

namespace sluice::cli {

struct DemoCertificates {
  std::string ca_certificate;      // DIR/ca.pem: what clients trust (ssl.ca.location)
  std::string broker_certificate;  // DIR/broker.pem (--ssl-certificate)
  std::string broker_key;          // DIR/broker.key (--ssl-key)
  bool created = false;            // false: reused from an earlier run
};

// Throws std::runtime_error with OpenSSL's reason when a step fails.
DemoCertificates ensure_demo_certificates(const std::filesystem::path& dir);

}  // namespace sluice::cli
