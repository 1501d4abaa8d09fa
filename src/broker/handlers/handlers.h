// The Kafka APIs the broker serves: one handler per API, each in its own file.
// A handler decodes its request, delegates to the topic store, and answers;
// it keeps no state between calls.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "broker/broker_context.h"
#include "broker/protocol/request.h"

namespace sluice::broker::handlers {

using Handler = std::optional<Bytes> (*)(BrokerContext&, const protocol::Request&);

struct ApiSpec {
  int16_t key;
  const char* name;
  int16_t max_version;     // every minimum is 0: librdkafka enables features on overlap
  int16_t first_flexible;  // INT16_MAX when no served version is flexible
  Handler handle;
};

// The table of served APIs, in key order; ApiVersions answers from it.
std::span<const ApiSpec> supported_apis();
const ApiSpec* find_api(int16_t key);
bool is_flexible(int16_t key, int16_t version);

std::optional<Bytes> produce(BrokerContext&, const protocol::Request&);
// Produce in its two steps: produce_write() writes every partition of the
// request; `commit` then waits until they are visible (under flush `always`,
// synced) and encodes the answer (nullopt: acks=0). `ready`: the commit will not
// wait. produce() is both in a row; the broker's server runs `commit` apart, so
// that a connection's next Produce is written while this one's sync runs.
struct ProduceWritten {
  bool ready = true;
  std::function<std::optional<Bytes>()> commit;
};
ProduceWritten produce_write(BrokerContext&, const protocol::Request&);
std::optional<Bytes> fetch(BrokerContext&, const protocol::Request&);
// One look at the log for a Fetch. It answers when min_bytes are there, on an
// error, or when `may_wait` is false; otherwise `response` is empty and the
// caller waits (up to max_wait_ms from the request's arrival) for ctx.data to
// move, then asks again. fetch() above is this loop, blocking its thread; the
// broker's server parks the request instead.
struct FetchPass {
  std::optional<Bytes> response;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 1;
};
FetchPass fetch_pass(BrokerContext&, const protocol::Request&, bool may_wait);
std::optional<Bytes> list_offsets(BrokerContext&, const protocol::Request&);
std::optional<Bytes> metadata(BrokerContext&, const protocol::Request&);
std::optional<Bytes> find_coordinator(BrokerContext&, const protocol::Request&);
std::optional<Bytes> api_versions(BrokerContext&, const protocol::Request&);
std::optional<Bytes> create_topics(BrokerContext&, const protocol::Request&);
std::optional<Bytes> delete_topics(BrokerContext&, const protocol::Request&);
std::optional<Bytes> delete_records(BrokerContext&, const protocol::Request&);
std::optional<Bytes> describe_configs(BrokerContext&, const protocol::Request&);
std::optional<Bytes> describe_log_dirs(BrokerContext&, const protocol::Request&);
std::optional<Bytes> alter_configs(BrokerContext&, const protocol::Request&);
std::optional<Bytes> incremental_alter_configs(BrokerContext&, const protocol::Request&);
std::optional<Bytes> create_partitions(BrokerContext&, const protocol::Request&);
std::optional<Bytes> join_group(BrokerContext&, const protocol::Request&);
std::optional<Bytes> sync_group(BrokerContext&, const protocol::Request&);
std::optional<Bytes> heartbeat(BrokerContext&, const protocol::Request&);
std::optional<Bytes> leave_group(BrokerContext&, const protocol::Request&);
std::optional<Bytes> offset_commit(BrokerContext&, const protocol::Request&);
std::optional<Bytes> offset_fetch(BrokerContext&, const protocol::Request&);
std::optional<Bytes> describe_groups(BrokerContext&, const protocol::Request&);
std::optional<Bytes> list_groups(BrokerContext&, const protocol::Request&);
std::optional<Bytes> delete_groups(BrokerContext&, const protocol::Request&);
std::optional<Bytes> offset_delete(BrokerContext&, const protocol::Request&);
std::optional<Bytes> init_producer_id(BrokerContext&, const protocol::Request&);
std::optional<Bytes> add_partitions_to_txn(BrokerContext&, const protocol::Request&);
std::optional<Bytes> add_offsets_to_txn(BrokerContext&, const protocol::Request&);
std::optional<Bytes> end_txn(BrokerContext&, const protocol::Request&);
std::optional<Bytes> txn_offset_commit(BrokerContext&, const protocol::Request&);
std::optional<Bytes> describe_transactions(BrokerContext&, const protocol::Request&);
std::optional<Bytes> list_transactions(BrokerContext&, const protocol::Request&);
std::optional<Bytes> sasl_handshake(BrokerContext&, const protocol::Request&);
std::optional<Bytes> sasl_authenticate(BrokerContext&, const protocol::Request&);
std::optional<Bytes> describe_client_quotas(BrokerContext&, const protocol::Request&);
std::optional<Bytes> describe_user_scram_credentials(BrokerContext&, const protocol::Request&);
std::optional<Bytes> alter_user_scram_credentials(BrokerContext&, const protocol::Request&);
std::optional<Bytes> describe_acls(BrokerContext&, const protocol::Request&);
std::optional<Bytes> create_acls(BrokerContext&, const protocol::Request&);
std::optional<Bytes> delete_acls(BrokerContext&, const protocol::Request&);
std::optional<Bytes> describe_cluster(BrokerContext&, const protocol::Request&);
std::optional<Bytes> consumer_group_heartbeat(BrokerContext&, const protocol::Request&);
std::optional<Bytes> consumer_group_describe(BrokerContext&, const protocol::Request&);

// The ApiVersions answer for a version the broker does not speak: a v0 body
// with UNSUPPORTED_VERSION and the supported list, as the protocol prescribes.
Bytes api_versions_unsupported();

}  // namespace sluice::broker::handlers
