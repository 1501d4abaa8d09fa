// Writes the seed inputs of fuzz/corpus that are binary (Kafka request frames,
// record sets, Parquet files) with the repo's own encoders, so the seeds are
// exactly what the broker and the lake accept. Run by hand when a format
// changes; its output is committed:
//   build-fuzz/fuzz/fuzz_make_seeds fuzz/corpus
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/acls.h"
#include "broker/protocol/messages/admin.h"
#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/client_quotas.h"
#include "broker/protocol/messages/cluster.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/groups.h"
#include "broker/protocol/messages/list_offsets.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/messages/topics.h"
#include "broker/storage/record_batch.h"
#include "lake/parquet/file_writer.h"

namespace {

using namespace sluice;
using namespace sluice::broker;
using namespace sluice::broker::protocol;
namespace fs = std::filesystem;

fs::path out_dir;

void save(const std::string& target, const std::string& name, const void* p, size_t n) {
  fs::create_directories(out_dir / target);
  std::ofstream(out_dir / target / name, std::ios::binary)
      .write(static_cast<const char*>(p), long(n));
}
void save(const std::string& target, const std::string& name, const Bytes& b) {
  save(target, name, b.data(), b.size());
}

// A request frame as the connection sees it (no size prefix): header v1/v2, then the body.
template <typename Req>
void request(const std::string& name, int16_t version, Req msg) {
  bool flexible = handlers::is_flexible(Req::kKey, version);
  Bytes frame;
  ByteWriter w(frame);
  w.i16(Req::kKey);
  w.i16(version);
  w.i32(7);  // correlation id
  std::string client = "fuzz-seed";
  w.i16(int16_t(client.size()));
  w.raw(client);
  if (flexible) w.uvarint(0);  // no tagged fields in the header
  Encoder e(w, version, flexible);
  e.write_message(msg);
  save("kafka_request", name + "_v" + std::to_string(version), frame);
}

Bytes sample_batch(Codec codec) {
  std::vector<RecordInput> recs = {
      {1700000000000, "k1", "{\"claim_id\":\"C-1\"}", {{"sluice.trace_id", "t-1"}}},
      {1700000000005, std::nullopt, "value two", {}},
      {1700000000009, "k3", std::nullopt, {{"h", ""}}},
  };
  return build_batch(0, recs, codec);
}

// One legacy (magic 0/1) message: offset, size, crc, magic, attributes, [ts], key, value.
Bytes legacy_message(int8_t magic, int8_t attributes, const std::string& key, const Bytes& value) {
  ByteWriter m;
  m.u32(0);
  m.i8(magic);
  m.i8(attributes);
  if (magic == 1) m.i64(1700000000000);
  m.i32(int32_t(key.size()));
  m.raw(key);
  m.i32(int32_t(value.size()));
  m.raw(value.data(), value.size());
  Bytes body = std::move(m.buffer());
  store_be32(body.data(), uint32_t(::crc32(0, body.data() + 4, uInt(body.size() - 4))));
  ByteWriter w;
  w.i64(0);
  w.i32(int32_t(body.size()));
  w.raw(body.data(), body.size());
  return std::move(w.buffer());
}

void kafka_requests() {
  request("api_versions", 0, ApiVersionsRequest{});
  request("api_versions", 3, ApiVersionsRequest{"librdkafka", "2.0.2"});
  MetadataRequest all;
  all.topics.reset();
  request("metadata_all", 1, all);
  MetadataRequest some;
  some.topics.emplace().push_back({"claims.events"});
  request("metadata", 8, some);
  MetadataRequest by_id;  // flexible, a topic named by its id
  by_id.topics.emplace().push_back({std::nullopt, Uuid::parse("kTa6M2XWQN2a3vmt1Iw7Cg").value()});
  request("metadata", 12, by_id);
  request("metadata", 13, by_id);
  ApiVersionsRequest misrouted{"apache-kafka-java", "4.4.0", "sluice-single-node", 0};
  request("api_versions", 5, misrouted);

  ProduceRequest produce;
  produce.acks = -1;
  produce.timeout_ms = 30000;
  auto& topic = produce.topics.emplace_back();
  topic.name = "claims.events";
  auto& part = topic.partitions.emplace_back();
  part.index = 0;
  part.records = Records::of(sample_batch(Codec::kNone));
  request("produce", 3, produce);
  part.records = Records::of(sample_batch(Codec::kLz4));
  request("produce_lz4", 8, produce);
  part.records = Records::of(legacy_message(1, 0, "key", Bytes{'v', 'a', 'l'}));
  request("produce_legacy", 2, produce);
  part.records = Records::of(sample_batch(Codec::kZstd));
  request("produce_flexible", 11, produce);
  topic.topic_id = Uuid::parse("kTa6M2XWQN2a3vmt1Iw7Cg").value();
  request("produce_topic_id", 13, produce);

  FetchRequest fetch;
  auto& ft = fetch.topics.emplace_back();
  ft.name = "claims.events";
  ft.partitions.push_back({0, -1, 42, -1, 1 << 20});
  request("fetch", 4, fetch);
  request("fetch", 11, fetch);
  fetch.topics[0].partitions[0].last_fetched_epoch = 0;
  request("fetch", 12, fetch);
  fetch.topics[0].topic_id = Uuid::parse("kTa6M2XWQN2a3vmt1Iw7Cg").value();
  fetch.forgotten.push_back({"", {1}, fetch.topics[0].topic_id});
  request("fetch_topic_id", 13, fetch);
  request("fetch_topic_id", 18, fetch);

  ListOffsetsRequest lo{};
  request("list_offsets", 5, lo);
  lo.topics.push_back({"claims.events", {{0, -1, ListOffsetsRequest::kMaxTimestamp, 1}}});
  request("list_offsets", 8, lo);
  lo.timeout_ms = 30000;
  lo.topics[0].partitions[0].timestamp = ListOffsetsRequest::kEarliestPendingUpload;
  request("list_offsets", 11, lo);
  request("find_coordinator", 2, FindCoordinatorRequest{});
  request("find_coordinator", 6, FindCoordinatorRequest{"", 2, {"share-group"}});
  request("describe_cluster", 2, DescribeClusterRequest{false, 1, true});
  request("join_group", 5, JoinGroupRequest{});
  request("sync_group", 3, SyncGroupRequest{});
  request("heartbeat", 3, HeartbeatRequest{});
  request("leave_group", 3, LeaveGroupRequest{});
  request("offset_commit", 7, OffsetCommitRequest{});
  request("offset_fetch", 5, OffsetFetchRequest{});
  request("describe_groups", 4, DescribeGroupsRequest{});
  request("list_groups", 2, ListGroupsRequest{});
  request("create_topics", 4, CreateTopicsRequest{});
  CreateTopicsRequest create;
  create.topics.push_back({"claims.events", 3, 1, {}, {{"retention.ms", "86400000"}}});
  request("create_topics", 7, create);
  request("delete_topics", 3, DeleteTopicsRequest{});
  DeleteTopicsRequest del;
  del.topics.push_back({"claims.events", Uuid()});
  del.topics.push_back({std::nullopt, Uuid::parse("kTa6M2XWQN2a3vmt1Iw7Cg").value()});
  request("delete_topics", 6, del);
  request("delete_records", 1, DeleteRecordsRequest{});
  request("delete_records", 2, DeleteRecordsRequest{{{"claims.events", {{0, 5}}}}, 30000});
  request("init_producer_id", 1, InitProducerIdRequest{});
  request("init_producer_id", 4, InitProducerIdRequest{std::nullopt, 60000, 4096, 0});
  request("describe_configs", 3, DescribeConfigsRequest{});
  request("describe_configs", 4, DescribeConfigsRequest{{{2, "claims.events", std::nullopt}}});
  request("create_partitions", 1, CreatePartitionsRequest{});
  request("create_partitions", 3, CreatePartitionsRequest{{{"claims.events", 3, std::nullopt}}});
  request("describe_acls", 3, DescribeAclsRequest{});
  request("describe_client_quotas", 1, DescribeClientQuotasRequest{});
  request("delete_groups", 1, DeleteGroupsRequest{});
  request("offset_delete", 0, OffsetDeleteRequest{});
}

void record_sets() {
  save("record_batch", "batch_none", sample_batch(Codec::kNone));
  save("record_batch", "batch_gzip", sample_batch(Codec::kGzip));
  save("record_batch", "batch_snappy", sample_batch(Codec::kSnappy));
  save("record_batch", "batch_lz4", sample_batch(Codec::kLz4));
  save("record_batch", "batch_zstd", sample_batch(Codec::kZstd));
  Bytes two = sample_batch(Codec::kNone);
  Bytes second = sample_batch(Codec::kZstd);
  two.insert(two.end(), second.begin(), second.end());
  save("record_batch", "two_batches", two);
  save("record_batch", "legacy_v0", legacy_message(0, 0, "k", Bytes{'v'}));
  Bytes v1 = legacy_message(1, 0, "key", Bytes{'o', 'n', 'e'});
  Bytes more = legacy_message(1, 0, "", Bytes{'t', 'w', 'o'});
  v1.insert(v1.end(), more.begin(), more.end());
  save("record_batch", "legacy_v1", v1);
  // A gzip wrapper message whose value is an inner legacy message set.
  save("record_batch", "legacy_gzip", legacy_message(1, 1, "", compress(Codec::kGzip, v1)));
}

void parquet_files() {
  namespace pq = sluice::lake::parquet;
  std::vector<pq::Field> schema = {
      pq::Field::leaf("id", pq::Type::kInt64, false),
      pq::Field::leaf("name", pq::Type::kString),
      pq::Field::leaf("ok", pq::Type::kBoolean),
      pq::Field::leaf("score", pq::Type::kDouble),
      pq::Field::list("tags", pq::Field::leaf("element", pq::Type::kString)),
      pq::Field::structure("meta", {pq::Field::leaf("ts", pq::Type::kTimestampMicros),
                                    pq::Field::leaf("day", pq::Type::kDate)}),
      pq::Field::map("attrs", pq::Field::leaf("key", pq::Type::kString, false),
                     pq::Field::leaf("value", pq::Type::kInt32)),
  };
  auto rows = [] {
    std::vector<pq::Row> out;
    for (int i = 0; i < 5; ++i) {
      pq::ValueList tags = {std::string("a"), std::string(i % 2 ? "b" : "a")};
      pq::ValueList meta = {int64_t(1700000000000000 + i), int32_t(19000 + i)};
      pq::ValueMap attrs = {{std::string("n"), int32_t(i)}};
      out.push_back({int64_t(i),
                     i == 2 ? pq::Value() : pq::Value(std::string("row") + char('0' + i)),
                     bool(i % 2), 0.5 * i, tags, meta, attrs});
    }
    return out;
  }();
  struct Variant {
    const char* name;
    pq::Codec codec;
    bool dictionary;
  };
  for (Variant v : {Variant{"plain", pq::Codec::kUncompressed, false},
                    Variant{"dict_snappy", pq::Codec::kSnappy, true},
                    Variant{"zstd", pq::Codec::kZstd, true}}) {
    pq::WriterOptions o;
    o.codec = v.codec;
    o.dictionary = v.dictionary;
    o.key_value_metadata = {{"writer", "fuzz_make_seeds"}};
    pq::FileWriter w(schema, o);
    for (const auto& r : rows) w.add_row(r);
    std::string file = w.finish();
    save("parquet_reader", std::string(v.name) + ".parquet", file.data(), file.size());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  out_dir = argv[1];
  kafka_requests();
  record_sets();
  parquet_files();
  return 0;
}
