#include "broker/server/connection.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "broker/handlers/handlers.h"
#include "broker/security/sasl_gate.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

constexpr int16_t kApiVersionsKey = 18;

bool read_full(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t got = ::recv(fd, p, n, 0);
    if (got == 0) return false;
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += got;
    n -= size_t(got);
  }
  return true;
}

bool write_all(int fd, iovec* iov, int count) {
  while (count > 0) {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = size_t(count);
    ssize_t sent = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    while (count > 0 && size_t(sent) >= iov->iov_len) {
      sent -= ssize_t(iov->iov_len);
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<uint8_t*>(iov->iov_base) + sent;
      iov->iov_len -= size_t(sent);
    }
  }
  return true;
}

// Response header v0 is the correlation id; v1 (flexible APIs other than
// ApiVersions) adds an empty tagged-field section.
bool send_response(BrokerContext& ctx, int fd, const protocol::RequestHeader& h, bool flexible,
                   const Bytes& body) {
  bool tagged = flexible && h.api_key != kApiVersionsKey;
  uint8_t head[9];
  size_t head_len = tagged ? 9 : 8;
  store_be32(head, uint32_t(head_len - 4 + body.size()));
  store_be32(head + 4, uint32_t(h.correlation_id));
  head[8] = 0;
  iovec iov[2] = {{head, head_len}, {const_cast<uint8_t*>(body.data()), body.size()}};
  ctx.requests.sent(head_len + body.size());
  return write_all(fd, iov, body.empty() ? 1 : 2);
}

enum class Outcome { kContinue, kClose };

Outcome dispatch(BrokerContext& ctx, int fd, std::span<uint8_t> frame, Session& session) {
  protocol::Request req = protocol::parse_request(frame, handlers::is_flexible);
  req.peer = session.peer;
  req.session = &session;
  const std::string& peer = session.peer;
  const auto& h = req.header;
  const handlers::ApiSpec* api = handlers::find_api(h.api_key);
  if (!api) {
    ctx.requests.failed(h.api_key);
    log::warn("broker", "closing connection from {}: unknown API key {} (client {})", peer,
              h.api_key, h.client_id.value_or("?"));
    return Outcome::kClose;
  }
  if (h.api_version < 0 || h.api_version > api->max_version) {
    ctx.requests.failed(h.api_key);
    if (h.api_key == kApiVersionsKey) {
      return send_response(ctx, fd, h, false, handlers::api_versions_unsupported())
                 ? Outcome::kContinue
                 : Outcome::kClose;
    }
    log::warn("broker", "closing connection from {}: {} v{} is not supported (0-{} are)", peer,
              api->name, h.api_version, api->max_version);
    return Outcome::kClose;
  }
  std::optional<Bytes> body = api->handle(ctx, req);
  if (!body) return Outcome::kContinue;
  return send_response(ctx, fd, h, req.flexible, *body) ? Outcome::kContinue : Outcome::kClose;
}

}  // namespace

void serve_connection(BrokerContext& ctx, int fd, const std::string& peer) {
  Session session;
  session.peer = peer;
  session.host = peer.substr(0, peer.rfind(':'));
  session.security_protocol = ctx.options.security_protocol;
  Bytes frame;
  for (;;) {
    uint8_t size_buf[4];
    if (!read_full(fd, size_buf, 4)) return;
    int32_t size = int32_t(load_be32(size_buf));
    if (size < 8 || size > ctx.options.max_request_bytes) {
      log::warn("broker", "closing connection from {}: request frame of {} bytes is outside 8..{}",
                peer, size, ctx.options.max_request_bytes);
      return;
    }
    frame.resize(size_t(size));
    if (!read_full(fd, frame.data(), frame.size())) return;
    auto verdict = security::screen_frame(ctx, session, frame);
    if (verdict.action == security::GateVerdict::Action::kClose) return;
    if (verdict.action == security::GateVerdict::Action::kReplyRaw) {
      iovec raw{verdict.raw_reply.data(), verdict.raw_reply.size()};
      if (!write_all(fd, &raw, 1)) return;
      continue;
    }
    const int16_t api_key = int16_t(load_be16(frame.data()));
    ctx.requests.received(api_key, frame.size() + 4);
    try {
      if (dispatch(ctx, fd, frame, session) == Outcome::kClose) return;
    } catch (const DecodeError& e) {
      ctx.requests.failed(api_key);
      log::warn("broker", "closing connection from {}: malformed request (api {} v{}): {}", peer,
                api_key, int16_t(load_be16(frame.data() + 2)), e.what());
      return;
    } catch (const std::exception& e) {
      ctx.requests.failed(api_key);
      log::error("broker", "closing connection from {}: request failed: {}", peer, e.what());
      return;
    }
  }
}

}  // namespace sluice::broker
