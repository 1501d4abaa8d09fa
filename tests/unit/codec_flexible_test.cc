// The flexible (KIP-482) versions of the data-path and admin requests, checked
// byte by byte against layouts written out by hand from Kafka's message
// definitions: compact strings and arrays (length + 1 as an unsigned varint, 0
// for null), and a tagged-field count closing every structure.
#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/acls.h"
#include "broker/protocol/messages/admin.h"
#include "broker/protocol/messages/client_quotas.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/list_offsets.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/protocol/messages/produce.h"

namespace sluice::broker::protocol {
namespace {

template <typename T>
Bytes encode(T msg, int16_t version) {
  Bytes out;
  ByteWriter w(out);
  Encoder e(w, version, true);
  e.write_message(msg);
  return out;
}

template <typename T>
T decode(Bytes& frame, int16_t version) {
  T msg;
  Decoder d(frame, 0, version, true);
  d.read_message(msg);
  EXPECT_EQ(d.consumed(), frame.size()) << "trailing bytes left undecoded";
  return msg;
}

// The broker's table must call exactly these versions flexible, as Kafka does.
TEST(CodecFlexible, TheRegistryMarksKafkasFirstFlexibleVersions) {
  struct Expect {
    int16_t key, max, first_flexible;
  };
  for (auto e : {Expect{0, 13, 9}, Expect{1, 18, 12}, Expect{2, 11, 6}, Expect{21, 2, 2},
                 Expect{22, 5, 2}, Expect{29, 3, 2}, Expect{30, 3, 2}, Expect{31, 3, 2},
                 Expect{32, 4, 4}, Expect{37, 3, 2}, Expect{48, 1, 1}}) {
    const auto* api = handlers::find_api(e.key);
    ASSERT_NE(api, nullptr) << "API key " << e.key;
    EXPECT_EQ(api->max_version, e.max) << api->name;
    EXPECT_FALSE(handlers::is_flexible(e.key, int16_t(e.first_flexible - 1))) << api->name;
    EXPECT_TRUE(handlers::is_flexible(e.key, e.first_flexible)) << api->name;
  }
}

TEST(CodecFlexible, ProduceV9UsesCompactStringsArraysAndRecords) {
  Bytes wire = {0,                       // transactional_id: null
                0xff, 0xff,              // acks -1
                0,    0,    0x75, 0x30,  // timeout_ms 30000
                2,                       // topics: 1
                2,    't',               // name "t"
                2,                       // partitions: 1
                0,    0,    0,    5,     // index 5
                4,    1,    2,    3,     // records: 3 bytes
                0,                       // partition tagged fields
                0,                       // topic tagged fields
                0};                      // body tagged fields
  auto req = decode<ProduceRequest>(wire, 9);
  EXPECT_FALSE(req.transactional_id);
  EXPECT_EQ(req.acks, -1);
  EXPECT_EQ(req.timeout_ms, 30000);
  ASSERT_EQ(req.topics.size(), 1u);
  EXPECT_EQ(req.topics[0].name, "t");
  ASSERT_EQ(req.topics[0].partitions.size(), 1u);
  EXPECT_EQ(req.topics[0].partitions[0].index, 5);
  auto view = req.topics[0].partitions[0].records.view;
  EXPECT_EQ(Bytes(view.begin(), view.end()), (Bytes{1, 2, 3}));
  EXPECT_EQ(encode(req, 11), wire) << "v10 and v11 add no field to the request";
}

TEST(CodecFlexible, ProduceV11ResponseEndsEachPartitionWithNoTaggedFields) {
  ProduceResponse resp;
  auto& t = resp.responses.emplace_back();
  t.name = "t";
  t.partitions.push_back({0, 0, 7, -1, 0, {}, std::nullopt});
  Bytes b = encode(resp, 11);
  Bytes expected = {2,    2,    't',  2,                             // 1 topic "t", 1 partition
                    0,    0,    0,    0,    0,    0,                 // index 0, error 0
                    0,    0,    0,    0,    0,    0,    0,    7,     // base_offset 7
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // log_append_time -1
                    0,    0,    0,    0,    0,    0,    0,    0,     // log_start_offset 0
                    1,                                               // record_errors: empty
                    0,                                               // error_message: null
                    0,    0,              // partition, topic tagged fields
                    0,    0,    0,    0,  // throttle_time_ms
                    0};                   // body tagged fields
  EXPECT_EQ(b, expected);
}

TEST(CodecFlexible, FetchV12CarriesLastFetchedEpochAndSkipsTheClusterIdTag) {
  Bytes wire = {0xff, 0xff, 0xff, 0xff,                          // replica_id -1
                0,    0,    1,    0xf4,                          // max_wait_ms 500
                0,    0,    0,    1,                             // min_bytes 1
                0,    0x10, 0,    0,                             // max_bytes 1 MiB
                1,                                               // isolation_level READ_COMMITTED
                0,    0,    0,    0,                             // session_id 0
                0xff, 0xff, 0xff, 0xff,                          // session_epoch -1
                2,    4,    'a',  'b',  'c',                     // topics: 1, "abc"
                2,                                               // partitions: 1
                0,    0,    0,    2,                             // partition 2
                0,    0,    0,    0,                             // current_leader_epoch 0
                0,    0,    0,    0,    0,    0,    0,    42,    // fetch_offset 42
                0,    0,    0,    0,                             // last_fetched_epoch 0
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // log_start_offset -1
                0,    0x01, 0,    0,                             // partition max_bytes 64 KiB
                0,                                               // partition tagged fields
                0,                                               // topic tagged fields
                1,                                               // forgotten: empty
                5,    'r',  'a',  'c',  'k',                     // rack_id "rack"
                1,    0,    4,    4,    'c',  'l',  'u'};        // tag 0 (cluster_id "clu")
  auto req = decode<FetchRequest>(wire, 12);
  EXPECT_EQ(req.max_wait_ms, 500);
  EXPECT_EQ(req.isolation_level, 1);
  EXPECT_EQ(req.rack_id, "rack");
  ASSERT_EQ(req.topics.size(), 1u);
  EXPECT_EQ(req.topics[0].name, "abc");
  const auto& p = req.topics[0].partitions.at(0);
  EXPECT_EQ(p.index, 2);
  EXPECT_EQ(p.fetch_offset, 42);
  EXPECT_EQ(p.last_fetched_epoch, 0);
  EXPECT_EQ(p.log_start_offset, -1);
  EXPECT_EQ(p.max_bytes, 65536);
  // Written back without the tag, the field is still there.
  Bytes again = encode(req, 12);
  EXPECT_EQ(again.size(), wire.size() - 6);
  EXPECT_EQ(decode<FetchRequest>(again, 12).topics[0].partitions[0].last_fetched_epoch, 0);
}

TEST(CodecFlexible, ListOffsetsV7AsksForTheMaxTimestampAndV8ForTheEarliestLocal) {
  ListOffsetsRequest req;
  auto& t = req.topics.emplace_back();
  t.name = "t";
  t.partitions.push_back({0, -1, ListOffsetsRequest::kMaxTimestamp, 1});
  Bytes b = encode(req, 7);
  Bytes expected = {0xff, 0xff, 0xff, 0xff,                          // replica_id -1
                    0,                                               // isolation_level
                    2,    2,    't',  2,                             // 1 topic "t", 1 partition
                    0,    0,    0,    0,                             // partition 0
                    0xff, 0xff, 0xff, 0xff,                          // current_leader_epoch -1
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd,  // timestamp -3
                    0,    0,    0};                                  // tagged fields
  EXPECT_EQ(b, expected);
  req.topics[0].partitions[0].timestamp = ListOffsetsRequest::kEarliestLocal;
  Bytes v8 = encode(req, 8);
  EXPECT_EQ(decode<ListOffsetsRequest>(v8, 8).topics[0].partitions[0].timestamp, -4);
}

TEST(CodecFlexible, InitProducerIdV3CarriesTheHeldIdAndEpoch) {
  Bytes wire = {0,                                // transactional_id: null
                0, 0, 0xea, 0x60,                 // transaction_timeout_ms 60000
                0, 0, 0,    0,    0, 0, 0x10, 0,  // producer_id 4096
                0, 3,                             // producer_epoch 3
                0};                               // tagged fields
  auto req = decode<InitProducerIdRequest>(wire, 3);
  EXPECT_FALSE(req.transactional_id);
  EXPECT_EQ(req.transaction_timeout_ms, 60000);
  EXPECT_EQ(req.producer_id, 4096);
  EXPECT_EQ(req.producer_epoch, 3);
  Bytes v2 = encode(req, 2);
  EXPECT_EQ(v2, (Bytes{0, 0, 0, 0xea, 0x60, 0})) << "v2 is flexible but has no id or epoch";
}

TEST(CodecFlexible, DeleteRecordsV2) {
  Bytes wire = {2, 2, 't',  2,                 // 1 topic "t", 1 partition
                0, 0, 0,    1,                 // partition 1
                0, 0, 0,    0,    0, 0, 0, 9,  // offset 9
                0, 0,                          // partition, topic tagged fields
                0, 0, 0x75, 0x30,              // timeout_ms 30000
                0};
  auto req = decode<DeleteRecordsRequest>(wire, 2);
  EXPECT_EQ(req.topics.at(0).partitions.at(0).offset, 9);
  EXPECT_EQ(req.timeout_ms, 30000);
  EXPECT_EQ(encode(req, 2), wire);
}

TEST(CodecFlexible, DescribeConfigsV4WithNullKeys) {
  Bytes wire = {2,       // 1 resource
                2,       // resource_type TOPIC
                2, 't',  // resource_name "t"
                0,       // configuration_keys: null (all)
                0,       // resource tagged fields
                1, 0,    // include_synonyms, include_documentation
                0};
  auto req = decode<DescribeConfigsRequest>(wire, 4);
  ASSERT_EQ(req.resources.size(), 1u);
  EXPECT_EQ(req.resources[0].resource_name, "t");
  EXPECT_FALSE(req.resources[0].configuration_keys);
  EXPECT_TRUE(req.include_synonyms);
  EXPECT_EQ(encode(req, 4), wire);
}

TEST(CodecFlexible, CreatePartitionsV3WithNullAssignments) {
  Bytes wire = {2, 2, 't',         // 1 topic "t"
                0, 0, 0,    4,     // count 4
                0,                 // assignments: null
                0,                 // topic tagged fields
                0, 0, 0x75, 0x30,  // timeout_ms
                0,                 // validate_only
                0};
  auto req = decode<CreatePartitionsRequest>(wire, 3);
  EXPECT_EQ(req.topics.at(0).count, 4);
  EXPECT_FALSE(req.topics[0].assignments);
  EXPECT_EQ(encode(req, 3), wire);
}

TEST(CodecFlexible, DescribeAclsV3FilterWithNullStrings) {
  Bytes wire = {1,     // resource_type ANY
                0,     // resource_name: null
                1,     // pattern_type ANY
                0, 0,  // principal, host: null
                1, 1,  // operation ANY, permission ANY
                0};
  auto req = decode<DescribeAclsRequest>(wire, 3);
  EXPECT_EQ(req.filter.resource_type, 1);
  EXPECT_FALSE(req.filter.resource_name);
  EXPECT_FALSE(req.filter.principal);
  EXPECT_EQ(encode(req, 3), wire);
}

TEST(CodecFlexible, DescribeClientQuotasV1) {
  Bytes wire = {2, 5, 'u', 's', 'e', 'r',  // 1 component, entity_type "user"
                2,                         // match_type ANY
                0,                         // match: null
                0,                         // component tagged fields
                0,                         // strict
                0};
  auto req = decode<DescribeClientQuotasRequest>(wire, 1);
  EXPECT_EQ(req.components.at(0).entity_type, "user");
  EXPECT_EQ(req.components[0].match_type, 2);
  EXPECT_EQ(encode(req, 1), wire);
}

}  // namespace
}  // namespace sluice::broker::protocol
