#include "cli/users/kafka_wire_connection.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>

#include "broker/protocol/messages/sasl.h"
#include "cli/users/sasl_client.h"

namespace sluice::cli {
namespace {

void send_all(int fd, const Bytes& bytes, const std::string& address) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("lost the connection to " + address + " while sending");
    sent += size_t(n);
  }
}

void recv_all(int fd, uint8_t* p, size_t n, const std::string& address) {
  while (n > 0) {
    ssize_t got = ::recv(fd, p, n, 0);
    if (got <= 0) {
      throw std::runtime_error(
          "the broker at " + address +
          " closed the connection or did not answer (on a SASL listener, set "
          "SLUICE_SECURITY_PROTOCOL=SASL_PLAINTEXT and SLUICE_SASL_USERNAME/PASSWORD)");
    }
    p += got;
    n -= size_t(got);
  }
}

int connect_to(const std::string& host, const std::string& port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
    throw std::runtime_error("cannot resolve " + host);
  }
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

}  // namespace

KafkaWireConnection::KafkaWireConnection(const std::string& bootstrap, int timeout_ms,
                                         const ClientSecurity& security)
    : address_(bootstrap.substr(0, bootstrap.find(','))) {
  size_t colon = address_.rfind(':');
  if (colon == std::string::npos) {
    throw std::runtime_error("bootstrap '" + address_ + "' is not HOST:PORT");
  }
  fd_ = connect_to(address_.substr(0, colon), address_.substr(colon + 1), timeout_ms);
  if (fd_ < 0) throw std::runtime_error("cannot reach the broker at " + address_);
  if (security.protocol == "SASL_PLAINTEXT") {
    authenticate(security);
  } else if (security.protocol != "PLAINTEXT") {
    throw std::runtime_error("security.protocol " + security.protocol +
                             " is not supported by `sluice users` (PLAINTEXT or SASL_PLAINTEXT)");
  }
}

KafkaWireConnection::~KafkaWireConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Bytes KafkaWireConnection::round_trip(int16_t key, int16_t version, bool flexible,
                                      const Bytes& body) {
  const std::string client_id = "sluice-users";
  Bytes frame(4);
  ByteWriter w(frame);
  w.i16(key);
  w.i16(version);
  w.i32(++correlation_);
  w.i16(int16_t(client_id.size()));
  w.raw(client_id);
  if (flexible) w.uvarint(0);  // request header v2: no tagged fields
  w.raw(body.data(), body.size());
  store_be32(frame.data(), uint32_t(frame.size() - 4));
  send_all(fd_, frame, address_);

  uint8_t size_bytes[4];
  recv_all(fd_, size_bytes, 4, address_);
  uint32_t size = load_be32(size_bytes);
  if (size < 4 || size > 64u * 1024 * 1024) {
    throw std::runtime_error("the broker at " + address_ + " sent a malformed response");
  }
  Bytes answer(size);
  recv_all(fd_, answer.data(), answer.size(), address_);
  ByteReader r(answer);
  if (r.i32() != correlation_) {
    throw std::runtime_error("the broker at " + address_ + " answered another request");
  }
  if (flexible) {  // response header v1: tagged fields
    for (uint64_t tags = r.uvarint(); tags > 0; --tags) {
      r.uvarint();
      r.skip(r.uvarint());
    }
  }
  answer_body_offset_ = r.position();
  return answer;
}

void KafkaWireConnection::authenticate(const ClientSecurity& security) {
  if (security.username.empty() || security.password.empty()) {
    throw std::runtime_error(
        "SASL_PLAINTEXT needs a username and password (SLUICE_SASL_USERNAME, "
        "SLUICE_SASL_PASSWORD)");
  }
  broker::protocol::SaslHandshakeRequest handshake{security.mechanism};
  auto shook = call<broker::protocol::SaslHandshakeResponse>(1, false, handshake);
  if (shook.error_code != 0) {
    std::string offered;
    for (const auto& m : shook.mechanisms) offered += (offered.empty() ? "" : ", ") + m;
    throw std::runtime_error("the broker at " + address_ + " does not offer SASL mechanism " +
                             security.mechanism + " (it offers: " + offered + ")");
  }
  SaslClient client(security.mechanism, security.username, security.password);
  std::string token = client.first_message();
  for (;;) {
    std::string answer = sasl_step(token);
    auto next = client.next_message(answer);
    if (!next) return;  // the client verified the server's last word
    token = *next;
  }
}

std::string KafkaWireConnection::sasl_step(const std::string& token) {
  broker::protocol::SaslAuthenticateRequest req;
  req.auth_bytes.data.assign(token.begin(), token.end());
  auto resp = call<broker::protocol::SaslAuthenticateResponse>(1, false, req);
  if (resp.error_code != 0) {
    throw std::runtime_error("SASL authentication to " + address_ +
                             " failed: " + resp.error_message.value_or("no reason given"));
  }
  return {resp.auth_bytes.data.begin(), resp.auth_bytes.data.end()};
}

}  // namespace sluice::cli
