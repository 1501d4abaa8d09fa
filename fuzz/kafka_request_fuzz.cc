// libFuzzer target: one Kafka request frame (the bytes after the 4-byte size
// prefix), decoded the way the broker's connection does it: parse_request()
// with the served APIs' flexible-version table, the same API/version gate as
// dispatch(), then the request body through the generic Decoder.
//
// Expected outcome for garbage: DecodeError. Anything else — a crash, a
// sanitizer report, another exception type — is a bug.
//
// On success the decoded request is also re-encoded twice and the two
// encodings compared: Encoder(Decoder(x)) must be a fixed point after one
// round, or the codec reads and writes some field differently.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/acls.h"
#include "broker/protocol/messages/admin.h"
#include "broker/protocol/messages/alter_configs.h"
#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/client_quotas.h"
#include "broker/protocol/messages/cluster.h"
#include "broker/protocol/messages/consumer_groups.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/groups.h"
#include "broker/protocol/messages/list_offsets.h"
#include "broker/protocol/messages/log_dirs.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/messages/sasl.h"
#include "broker/protocol/messages/scram_credentials.h"
#include "broker/protocol/messages/topics.h"
#include "broker/protocol/messages/transactions.h"
#include "broker/protocol/request.h"

namespace {

using namespace sluice;
using namespace sluice::broker::protocol;

template <typename Req>
Bytes encode(Req& msg, int16_t version, bool flexible) {
  Bytes out;
  ByteWriter w(out);
  Encoder e(w, version, flexible);
  e.write_message(msg);
  return out;
}

template <typename Req>
void round_trip_body(const Request& req) {
  Req in;
  Decoder d(req.frame, req.body_offset, req.header.api_version, req.flexible);
  d.read_message(in);  // exactly what protocol::serve() does before the handler runs

  // Round trip: what we decoded, encoded, must decode to something that encodes the same.
  const int16_t v = req.header.api_version;
  Bytes first = encode(in, v, req.flexible);
  Req again;
  Decoder d2(first, 0, v, req.flexible);
  d2.read_message(again);
  if (d2.consumed() != first.size()) std::abort();  // the encoder wrote bytes the decoder ignores
  Bytes second = encode(again, v, req.flexible);
  if (first != second) std::abort();
}

template <typename... Reqs>
bool decode_as(const Request& req) {
  return ((req.header.api_key == Reqs::kKey ? (round_trip_body<Reqs>(req), true) : false) || ...);
}

void dispatch(std::span<uint8_t> frame) {
  Request req = parse_request(frame, broker::handlers::is_flexible);
  const auto* api = broker::handlers::find_api(req.header.api_key);
  if (!api) return;  // the connection closes
  if (req.header.api_version < 0 || req.header.api_version > api->max_version) return;
  bool known = decode_as<
      ProduceRequest, FetchRequest, ListOffsetsRequest, MetadataRequest, OffsetCommitRequest,
      OffsetFetchRequest, FindCoordinatorRequest, JoinGroupRequest, HeartbeatRequest,
      LeaveGroupRequest, SyncGroupRequest, DescribeGroupsRequest, ListGroupsRequest,
      ApiVersionsRequest, CreateTopicsRequest, DeleteTopicsRequest, DeleteRecordsRequest,
      InitProducerIdRequest, DescribeConfigsRequest, CreatePartitionsRequest, DeleteGroupsRequest,
      OffsetDeleteRequest, SaslHandshakeRequest, SaslAuthenticateRequest, DescribeAclsRequest,
      CreateAclsRequest, DeleteAclsRequest, DescribeClientQuotasRequest,
      DescribeUserScramCredentialsRequest, AlterUserScramCredentialsRequest, DescribeLogDirsRequest,
      AlterConfigsRequest, IncrementalAlterConfigsRequest, DescribeClusterRequest,
      AddPartitionsToTxnRequest, AddOffsetsToTxnRequest, EndTxnRequest, TxnOffsetCommitRequest,
      DescribeTransactionsRequest, ListTransactionsRequest, ConsumerGroupHeartbeatRequest,
      ConsumerGroupDescribeRequest>(req);
  if (!known) std::abort();  // a served API this target does not know: add it above
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The connection refuses frames under 8 bytes before dispatching.
  if (size < 8) return 0;
  // The frame is mutable and connection-owned (produce stamps offsets in place);
  // an exact-size heap copy lets ASan catch any read past its end.
  Bytes frame(data, data + size);
  try {
    dispatch(frame);
  } catch (const DecodeError&) {
  }
  return 0;
}
