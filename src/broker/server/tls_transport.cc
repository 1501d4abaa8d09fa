#include "broker/server/tls_transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "common/log.h"

namespace sluice::broker {
namespace {

// Small response pieces (a frame's 4-byte size and header, then its body) are
// gathered into one TLS record up to this size instead of one record each.
constexpr size_t kGatherBytes = 16 * 1024;

// OpenSSL's reason for the last failure on this thread, or `fallback`.
std::string openssl_reason(const std::string& fallback) {
  unsigned long code = ERR_get_error();
  if (code == 0) return fallback;
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

SSL_CTX* as_ctx(void* p) {
  return static_cast<SSL_CTX*>(p);
}

class TlsTransport final : public Transport {
 public:
  TlsTransport(int fd, SSL_CTX* ctx, Session& session, std::atomic<uint64_t>& handshake_failures)
      : ssl_(SSL_new(ctx)), session_(session), handshake_failures_(handshake_failures) {
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd) != 1) {
      SSL_free(ssl_);  // the destructor does not run for a constructor that throws
      throw std::runtime_error("cannot set up TLS for a connection: " + openssl_reason("SSL_new"));
    }
    SSL_set_accept_state(ssl_);
  }
  ~TlsTransport() override { SSL_free(ssl_); }

  IoResult read(std::span<uint8_t> into) override {
    wants_write_ = false;
    if (!established_) {
      IoResult r = handshake();
      if (!established_) return r;
    }
    ERR_clear_error();
    int n = SSL_read(ssl_, into.data(), int(std::min<size_t>(into.size(), INT32_MAX)));
    if (n > 0) return {IoResult::Kind::kDone, size_t(n), 0};
    return failure(n, "read");
  }

  IoResult write(std::span<const iovec> parts) override {
    if (!established_ || parts.empty()) return {IoResult::Kind::kWouldBlock, 0, 0};
    // A retried SSL_write must offer the same bytes again: the outbox does not
    // change between calls, so gathering the same prefix again does.
    const void* data = parts[0].iov_base;
    size_t len = parts[0].iov_len;
    if (len < kGatherBytes && parts.size() > 1) {
      gathered_.clear();
      for (const iovec& part : parts) {
        const size_t take = std::min(part.iov_len, kGatherBytes - gathered_.size());
        const auto* bytes = static_cast<const uint8_t*>(part.iov_base);
        gathered_.insert(gathered_.end(), bytes, bytes + take);
        if (gathered_.size() == kGatherBytes) break;
      }
      data = gathered_.data();
      len = gathered_.size();
    }
    ERR_clear_error();
    int n = SSL_write(ssl_, data, int(std::min<size_t>(len, INT32_MAX)));
    if (n > 0) return {IoResult::Kind::kDone, size_t(n), 0};
    return failure(n, "write");
  }

  bool wants_write() const override { return wants_write_; }
  bool has_buffered() const override { return established_ && SSL_pending(ssl_) > 0; }

 private:
  IoResult handshake() {
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
      established_ = true;
      adopt_certificate_principal();
      return {IoResult::Kind::kWouldBlock, 0, 0};
    }
    const int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_WANT_READ) return {IoResult::Kind::kWouldBlock, 0, 0};
    if (error == SSL_ERROR_WANT_WRITE) {
      wants_write_ = true;
      return {IoResult::Kind::kWouldBlock, 0, 0};
    }
    std::string reason = openssl_reason(error == SSL_ERROR_SYSCALL
                                            ? (errno != 0 ? std::strerror(errno) : "peer closed")
                                            : "handshake failed");
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK)
      reason += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
    // What a client speaking plaintext Kafka to a TLS port looks like to OpenSSL.
    if (reason.find("wrong version number") != std::string::npos)
      reason += " (a client not using TLS? it needs security.protocol SSL or SASL_SSL)";
    log::warn("broker", "TLS handshake with {} on listener '{}' failed: {}", session_.peer,
              session_.listener, reason);
    handshake_failures_.fetch_add(1, std::memory_order_relaxed);
    return {IoResult::Kind::kError, 0, EPROTO};
  }

  // Kafka's default principal for mTLS: the subject's RFC 2253 distinguished name.
  void adopt_certificate_principal() {
    if (session_.security_protocol != "SSL") return;
    X509* cert = SSL_get1_peer_certificate(ssl_);
    if (cert == nullptr) return;
    BIO* out = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(out, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* text = nullptr;
    long len = BIO_get_mem_data(out, &text);
    session_.principal = "User:" + std::string(text, size_t(len));
    session_.authenticated = true;  // a verified certificate: super.users may name it
    BIO_free(out);
    X509_free(cert);
  }

  IoResult failure(int rc, const char* what) {
    const int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      wants_write_ = error == SSL_ERROR_WANT_WRITE;
      return {IoResult::Kind::kWouldBlock, 0, 0};
    }
    if (error == SSL_ERROR_ZERO_RETURN) return {IoResult::Kind::kClosed, 0, 0};
    const int saved = errno;
    if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
      return rc == 0 ? IoResult{IoResult::Kind::kClosed, 0, 0}
                     : IoResult{IoResult::Kind::kError, 0, saved};
    log::debug("broker", "TLS {} for {} failed: {}", what, session_.peer,
               openssl_reason("TLS error"));
    return {IoResult::Kind::kError, 0, EPROTO};
  }

  SSL* ssl_;
  Session& session_;
  std::atomic<uint64_t>& handshake_failures_;
  bool established_ = false;
  bool wants_write_ = false;
  std::vector<uint8_t> gathered_;
};

}  // namespace

TlsClientAuth parse_tls_client_auth(const std::string& value) {
  if (value == "none") return TlsClientAuth::kNone;
  if (value == "requested") return TlsClientAuth::kRequested;
  if (value == "required") return TlsClientAuth::kRequired;
  throw std::invalid_argument("--ssl-client-auth '" + value +
                              "' must be none, requested or required");
}

TlsContext::TlsContext(const TlsSettings& s) {
  if (s.certificate_file.empty() || s.key_file.empty())
    throw std::invalid_argument(
        "an SSL or SASL_SSL listener needs --ssl-certificate FILE and --ssl-key FILE (PEM)");
  if (s.client_auth != TlsClientAuth::kNone && s.ca_file.empty())
    throw std::invalid_argument("--ssl-client-auth requested|required needs --ssl-ca FILE (PEM)");
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr)
    throw std::runtime_error("cannot create a TLS context: " + openssl_reason(""));
  ctx_ = ctx;
  auto fail = [&](const std::string& flag, const std::string& file) {
    const std::string reason = openssl_reason("unreadable");
    SSL_CTX_free(ctx);
    ctx_ = nullptr;
    throw std::invalid_argument(flag + " '" + file + "': " + reason);
  };
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(ctx, s.certificate_file.c_str()) != 1)
    fail("--ssl-certificate", s.certificate_file);
  if (SSL_CTX_use_PrivateKey_file(ctx, s.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("--ssl-key", s.key_file);
  if (SSL_CTX_check_private_key(ctx) != 1)
    fail("--ssl-key (does not match the certificate)", s.key_file);
  if (!s.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, s.ca_file.c_str(), nullptr) != 1)
      fail("--ssl-ca", s.ca_file);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(s.ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);
  }
  int mode = SSL_VERIFY_NONE;
  if (s.client_auth == TlsClientAuth::kRequested) mode = SSL_VERIFY_PEER;
  if (s.client_auth == TlsClientAuth::kRequired)
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, nullptr);
  // Clients that resume TLS sessions (Apache Kafka's Java client does, on its second
  // connection to a broker) are refused with "session id context uninitialized" when
  // client certificates are verified and the context has no session id context. With one,
  // a resumed session keeps the certificate verified when it was made, so the principal
  // stays the certificate's subject.
  static constexpr unsigned char kSessionIdContext[] = "sluice-broker";
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);
}

TlsContext::~TlsContext() {
  SSL_CTX_free(as_ctx(ctx_));
}

std::unique_ptr<Transport> tls_transport(int fd, const TlsContext& context, Session& session,
                                         std::atomic<uint64_t>& handshake_failures) {
  return std::make_unique<TlsTransport>(fd, as_ctx(context.native()), session, handshake_failures);
}

}  // namespace sluice::broker
