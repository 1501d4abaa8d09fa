// A request as the connection hands it to a handler: the parsed header and the
// whole frame, which the handler decodes with the message's own description.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "broker/protocol/codec.h"
#include "broker/server/session.h"

namespace sluice::broker::protocol {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  NullableString client_id;
};

struct Request {
  RequestHeader header;
  std::span<uint8_t> frame;    // owned by the connection, alive for the handler's call
  size_t body_offset = 0;      // where the message body starts in `frame`
  bool flexible = false;       // body uses compact encodings and tagged fields
  std::string peer;            // "ip:port", for log lines
  Session* session = nullptr;  // the connection's; null only in unit tests
};

// Parses the request header (v1, or v2 when `flexible_of(api_key, version)` says so)
// and returns the Request with body_offset set. Throws DecodeError.
template <typename FlexibleOf>
Request parse_request(std::span<uint8_t> frame, FlexibleOf flexible_of) {
  ByteReader r(frame);
  Request req;
  req.frame = frame;
  req.header.api_key = r.i16();
  req.header.api_version = r.i16();
  req.header.correlation_id = r.i32();
  int16_t n = r.i16();
  if (n >= 0) req.header.client_id.emplace(r.view(size_t(n), "client id"));
  req.flexible = flexible_of(req.header.api_key, req.header.api_version);
  if (req.flexible) {  // header v2: tagged fields after the client id
    uint64_t tags = r.uvarint();
    for (uint64_t i = 0; i < tags; ++i) {
      r.uvarint();
      r.skip(r.uvarint());
    }
  }
  req.body_offset = r.position();
  return req;
}

// How a response body is encoded: the request's version and flexibility.
struct ResponseEncoding {
  int16_t api_version = 0;
  bool flexible = false;
};

inline ResponseEncoding encoding_of(const Request& req) {
  return {req.header.api_version, req.flexible};
}

template <typename Req>
Req decode_body(const Request& req) {
  Req in;
  Decoder d(req.frame, req.body_offset, req.header.api_version, req.flexible);
  d.read_message(in);
  return in;
}

// `out` is not const: a message describes its fields once, for reading and writing.
template <typename Resp>
Bytes encode_body(Resp& out, ResponseEncoding how) {
  Bytes body;
  ByteWriter w(body);
  Encoder e(w, how.api_version, how.flexible);
  e.write_message(out);
  return body;
}

// Decodes a request body, calls `fn(request) -> std::optional<Response>` and
// encodes its answer. nullopt from `fn` means "send nothing" (acks=0 produce).
template <typename Req, typename Fn>
auto serve(const Request& req, Fn&& fn) -> std::optional<Bytes> {
  Req in = decode_body<Req>(req);
  auto out = fn(in);
  if (!out) return std::nullopt;
  return encode_body(*out, encoding_of(req));
}

}  // namespace sluice::broker::protocol
