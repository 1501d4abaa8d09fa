// Calls one broker handler as a connection would: encodes a request message at
// a version (flexible or not, as the API table says), parses the frame with the
// broker's own header parser, runs the handler from the API table and decodes
// its answer. For tests of handlers that need no socket; BrokerHarness is the
// broker state such a test runs against.
#pragma once

#include <gtest/gtest.h>

#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "temp_dir.h"

namespace sluice::testing {

template <typename Resp, typename Req>
Resp call_handler(broker::BrokerContext& ctx, broker::Session& session, Req in, int16_t version) {
  namespace handlers = broker::handlers;
  namespace protocol = broker::protocol;
  const bool flexible = handlers::is_flexible(Req::kKey, version);
  Bytes frame;
  ByteWriter w(frame);
  w.i16(Req::kKey);
  w.i16(version);
  w.i32(7);                    // correlation id
  w.i16(-1);                   // no client id
  if (flexible) w.uvarint(0);  // request header v2: no tagged fields
  protocol::Encoder e(w, version, flexible);
  e.write_message(in);
  auto req = protocol::parse_request(frame, handlers::is_flexible);
  req.session = &session;
  auto body = handlers::find_api(Req::kKey)->handle(ctx, req);
  Resp out;
  EXPECT_TRUE(body.has_value());
  if (!body) return out;
  protocol::Decoder d(*body, 0, version, flexible);
  d.read_message(out);
  EXPECT_EQ(d.consumed(), body->size()) << "the answer has bytes its description does not";
  return out;
}

// A broker's handler state on a scratch directory named after `prefix` and the
// test, with one session (no principal: authorization off unless a test sets
// ctx.authorizer). Test fixtures derive from it.
struct BrokerHarness {
  explicit BrokerHarness(const std::string& prefix, broker::CoordinatorOptions group_options = {})
      : dir(prefix), groups(offsets, group_options) {
    ctx.options.data_dir = dir.path();
    ctx.options.listeners.emplace_back();  // what Metadata and FindCoordinator advertise
  }

  // Encodes `in` as API `Req::kKey` at `version`, runs the handler and decodes its answer.
  template <typename Resp, typename Req>
  Resp call(Req in, int16_t version) {
    return call_handler<Resp>(ctx, session, std::move(in), version);
  }

  TempDir dir;
  broker::TopicStore topics{dir.path(), {}};
  broker::OffsetStore offsets{dir.path() / "groups", false};
  broker::GroupCoordinator groups;
  broker::ProducerIdAllocator producer_ids{dir.path()};
  broker::BrokerContext ctx{{}, topics, groups, producer_ids, {}, {}, {}, {}};
  broker::Session session;
};

}  // namespace sluice::testing
