// TLS for SSL and SASL_SSL listeners: OpenSSL directly on the non-blocking
// socket (SSL_set_fd), driven by the event loop.
//
// Promises:
// - Nothing blocks: the handshake runs inside read() as bytes arrive; when
//   OpenSSL needs the socket writable it says so through wants_write() and the
//   loop waits for EPOLLOUT. A handshake never holds the I/O thread.
// - TLS 1.2 and newer only; renegotiation is refused.
// - A failed handshake (untrusted or missing client certificate, a plaintext
//   client, a protocol mismatch) is logged once, naming the peer and OpenSSL's
//   reason, counted in the `failures` counter given at creation (a metric: a
//   scan or a misconfigured client fleet shows as a rate, not only as log
//   lines), and ends that connection alone (read() answers kError).
// - With a verified client certificate on an SSL listener the session's
//   principal becomes "User:" + the certificate subject in RFC 2253 form
//   (Kafka's default principal builder). On SASL_SSL the principal is left to
//   SASL.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "broker/server/session.h"
#include "broker/server/transport.h"

namespace sluice::broker {

// ssl.client.auth
enum class TlsClientAuth { kNone, kRequested, kRequired };

// Parses "none" | "requested" | "required"; throws std::invalid_argument.
TlsClientAuth parse_tls_client_auth(const std::string& value);

struct TlsSettings {
  std::string certificate_file;  // PEM, the server's certificate chain
  std::string key_file;          // PEM, its private key
  std::string ca_file;           // PEM, CAs that client certificates must chain to
  TlsClientAuth client_auth = TlsClientAuth::kNone;
};

// The server side configuration every TLS connection shares (an SSL_CTX).
class TlsContext {
 public:
  // Loads the PEM files; throws std::invalid_argument naming the flag and the
  // file when one is missing, unreadable, or the key does not match.
  explicit TlsContext(const TlsSettings& settings);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  void* native() const { return ctx_; }  // SSL_CTX*

 private:
  void* ctx_ = nullptr;
};

// A transport over `fd` (not owned) for a connection whose session is `session`
// (owned by the same connection, which outlives the transport); a failed
// handshake adds one to `handshake_failures`, which outlives it too.
std::unique_ptr<Transport> tls_transport(int fd, const TlsContext& context, Session& session,
                                         std::atomic<uint64_t>& handshake_failures);

}  // namespace sluice::broker
