// DescribeCluster: this one broker is the whole cluster and its controller, at
// the address advertised on the listener the client came in on; it is never
// fenced. Like Metadata it needs no ACL. A broker serves broker endpoints only:
// asking it for controllers (v1+) is MISMATCHED_ENDPOINT_TYPE and an unknown
// endpoint type UNSUPPORTED_ENDPOINT_TYPE, as Kafka answers (INVALID_REQUEST at
// v0, which has neither code).
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/cluster.h"

namespace sluice::broker::handlers {
namespace {

using protocol::DescribeClusterRequest;
using protocol::DescribeClusterResponse;
using protocol::ErrorCode;

std::optional<DescribeClusterResponse> refuse(int16_t version, ErrorCode since_v1,
                                              std::string message) {
  DescribeClusterResponse out;
  out.error_code = protocol::code(version == 0 ? ErrorCode::kInvalidRequest : since_v1);
  out.error_message = std::move(message);
  return out;
}

}  // namespace

std::optional<Bytes> describe_cluster(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<DescribeClusterRequest>(req, [&](const DescribeClusterRequest& in) {
    const int16_t version = req.header.api_version;
    if (in.endpoint_type == DescribeClusterRequest::kControllers) {
      return refuse(version, ErrorCode::kMismatchedEndpointType,
                    "this is a broker endpoint: ask for brokers (endpoint type 1), or connect "
                    "to a controller listener (sluice has none)");
    }
    if (in.endpoint_type != DescribeClusterRequest::kBrokers) {
      return refuse(version, ErrorCode::kUnsupportedEndpointType,
                    "unsupported endpoint type " + std::to_string(in.endpoint_type) +
                        " (1 is brokers, 2 controllers)");
    }
    DescribeClusterResponse out;
    const ListenerConfig& l = ctx.options.listener(req.session ? req.session->listener : "");
    out.cluster_id = ctx.options.cluster_id;
    out.controller_id = ctx.options.node_id;
    out.brokers.push_back(
        {ctx.options.node_id, l.advertised_host, l.advertised_port, std::nullopt, false});
    return std::optional(out);
  });
}

}  // namespace sluice::broker::handlers
