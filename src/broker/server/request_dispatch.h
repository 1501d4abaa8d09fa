// One Kafka request, from its frame to its answer: parse the header, find the
// API, check the version, call the handler, frame the response. Knows nothing
// of sockets or threads; the event loop calls it on a worker thread with the
// connection's Session, which is where per-connection gates (SASL) belong.
//
// Never throws: a malformed frame, an unknown API, an unsupported version or a
// failing handler ends in the protocol's error answer or in kClose (logged and
// counted in ctx.requests).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "broker/broker_context.h"
#include "broker/server/session.h"

namespace sluice::broker {

// A framed response: size prefix and response header in `head`, then `body`.
struct ResponseFrame {
  std::array<uint8_t, 9> head{};
  uint8_t head_len = 0;
  Bytes body;
  size_t size() const { return head_len + body.size(); }
};

struct DispatchResult {
  enum class Kind {
    kRespond,        // send `response`
    kNoResponse,     // acks=0 produce: nothing goes back
    kClose,          // close the connection without answering
    kWaitForData,    // a Fetch with too little data: ask again when data moves
    kCommitPending,  // a Produce is written; `commit` waits for its sync and answers
  };
  Kind kind = Kind::kClose;
  ResponseFrame response;
  int32_t max_wait_ms = 0;  // kWaitForData: how long the client allows
  int32_t min_bytes = 1;    // kWaitForData: what the client waits for
  // kCommitPending: blocks until the written batches are visible, then gives the
  // request's final result (kRespond, kNoResponse or kClose). Owns what it needs.
  std::function<DispatchResult()> commit;
};

// `frame` is the request without its size prefix. `may_wait`: a Fetch may answer
// kWaitForData; false once its wait is over (it then answers whatever there is).
DispatchResult dispatch_request(BrokerContext& ctx, Session& session, std::span<uint8_t> frame,
                                bool may_wait);

// The API key of a frame (for routing and counting before dispatch); -1 if too short.
int16_t frame_api_key(std::span<const uint8_t> frame);

}  // namespace sluice::broker
