// The one place that decides whether a frame read from a SASL connection may be
// served. Before authentication succeeds only ApiVersions, SaslHandshake and
// SaslAuthenticate are; anything else closes the connection with a log line,
// and so does every frame after a failed authentication. After a v0
// SaslHandshake the client's SASL tokens arrive raw (4-byte size, token, no
// request header — what Kafka calls the legacy framing, still used by
// kafka-python 2.0): the gate runs them itself and hands back the raw answer.
//
// The connection calls screen_frame() on every frame before dispatching it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "broker/broker_context.h"
#include "broker/server/session.h"
#include "common/bytes.h"

namespace sluice::broker::security {

bool allowed_before_authentication(int16_t api_key);

struct GateVerdict {
  enum class Action { kDispatch, kReplyRaw, kClose };
  Action action = Action::kDispatch;
  Bytes raw_reply;  // kReplyRaw: the whole answer, size prefix included
};

// `frame` is one size-delimited frame (at least 8 bytes, the size prefix not included).
GateVerdict screen_frame(BrokerContext& ctx, Session& session, std::span<const uint8_t> frame);

}  // namespace sluice::broker::security
