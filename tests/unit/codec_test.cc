// The generic codec, checked against byte layouts written out by hand from the
// Kafka protocol guide.
#include <gtest/gtest.h>

#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/client_quotas.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/request.h"

namespace sluice::broker::protocol {
namespace {

template <typename T>
Bytes encode(T msg, int16_t version, bool flexible = false) {
  Bytes out;
  ByteWriter w(out);
  Encoder e(w, version, flexible);
  e.write_message(msg);
  return out;
}

template <typename T>
T decode(Bytes& frame, int16_t version, bool flexible = false) {
  T msg;
  Decoder d(frame, 0, version, flexible);
  d.read_message(msg);
  EXPECT_EQ(d.consumed(), frame.size()) << "trailing bytes left undecoded";
  return msg;
}

TEST(Codec, ApiVersionsV3ResponseUsesCompactArraysAndTaggedFields) {
  ApiVersionsResponse resp;
  resp.api_keys.push_back({18, 0, 3});
  Bytes b = encode(resp, 3, true);
  Bytes expected = {0, 0,               // error_code
                    2,                  // compact array: 1 element + 1
                    0, 18, 0, 0, 0, 3,  // key, min, max
                    0,                  // element tagged fields
                    0, 0,  0, 0,        // throttle_time_ms
                    0};                 // body tagged fields
  EXPECT_EQ(b, expected);
}

TEST(Codec, ApiVersionsV0ResponseHasNoThrottleTime) {
  ApiVersionsResponse resp;
  resp.api_keys.push_back({0, 0, 8});
  EXPECT_EQ(encode(resp, 0).size(), 2u + 4u + 6u);
}

TEST(Codec, FieldsOutsideTheVersionAreNeitherWrittenNorRead) {
  MetadataRequest req;
  req.topics.emplace().push_back({"orders"});
  req.allow_auto_topic_creation = false;
  Bytes v3 = encode(req, 3);
  Bytes v4 = encode(req, 4);
  EXPECT_EQ(v4.size(), v3.size() + 1);  // allow_auto_topic_creation exists from v4
  auto back = decode<MetadataRequest>(v4, 4);
  EXPECT_FALSE(back.allow_auto_topic_creation);
  ASSERT_TRUE(back.topics);
  EXPECT_EQ((*back.topics)[0].name, "orders");
}

TEST(Codec, AFloat64IsEightBigEndianIeeeBytes) {
  DescribeClientQuotasResponse resp;
  resp.entries.emplace().push_back({{{"user", "alice"}}, {{"producer_byte_rate", 1024.5}}});
  Bytes b = encode(resp, 0);
  const Bytes ieee = {0x40, 0x90, 0x02, 0, 0, 0, 0, 0};  // 1024.5 = 0x4090020000000000
  ASSERT_GE(b.size(), ieee.size());
  EXPECT_TRUE(std::equal(ieee.begin(), ieee.end(), b.end() - 8));
  auto back = decode<DescribeClientQuotasResponse>(b, 0);
  EXPECT_EQ(back.entries->at(0).values.at(0).value, 1024.5);
}

TEST(Codec, NullArrayAndNullStringRoundTrip) {
  MetadataRequest req;  // topics null: "all topics" in v1+
  Bytes b = encode(req, 1);
  EXPECT_EQ(b, (Bytes{0xff, 0xff, 0xff, 0xff}));
  EXPECT_FALSE(decode<MetadataRequest>(b, 1).topics.has_value());
}

TEST(Codec, RecordsDecodeAsAViewIntoTheFrame) {
  ProduceRequest req;
  req.acks = -1;
  auto& t = req.topics.emplace_back();
  t.name = "t";
  t.partitions.push_back({0, Records::of({1, 2, 3})});
  Bytes b = encode(req, 3);
  auto back = decode<ProduceRequest>(b, 3);
  auto view = back.topics[0].partitions[0].records.view;
  EXPECT_EQ(Bytes(view.begin(), view.end()), (Bytes{1, 2, 3}));
  EXPECT_GE(view.data(), b.data());
  EXPECT_LT(view.data(), b.data() + b.size());
}

TEST(Codec, AnArrayCountLargerThanTheFrameIsRefusedBeforeAllocating) {
  Bytes b = {0x7f, 0xff, 0xff, 0xff};  // 2^31-1 topics in four bytes
  MetadataRequest req;
  Decoder d(b, 0, 1, false);
  EXPECT_THROW(d.read_message(req), DecodeError);
}

TEST(Codec, TruncatedInputThrowsDecodeError) {
  FetchRequest req;
  req.topics.push_back({"topic", {{0, -1, 42, -1, 1024}}});
  Bytes b = encode(req, 11);
  for (size_t cut = 0; cut < b.size(); ++cut) {
    Bytes part(b.begin(), b.begin() + long(cut));
    FetchRequest out;
    Decoder d(part, 0, 11, false);
    EXPECT_THROW(d.read_message(out), DecodeError) << "cut at " << cut;
  }
}

TEST(Codec, RequestHeaderV2SkipsTaggedFieldsBeforeTheBody) {
  Bytes frame = {0, 18,  0, 3,   0,   0,
                 0, 7,   0, 1,   'c', 0,  // key 18 v3, corr 7, client "c", no tags
                 2, 'x', 2, 'y', 0};      // compact "x", compact "y", no tags
  Request req = parse_request(frame, [](int16_t, int16_t v) { return v >= 3; });
  EXPECT_EQ(req.header.correlation_id, 7);
  EXPECT_EQ(req.header.client_id, "c");
  EXPECT_EQ(req.body_offset, 12u);
  Decoder d(frame, req.body_offset, 3, true);
  ApiVersionsRequest body;
  d.read_message(body);
  EXPECT_EQ(body.client_software_name, "x");
  EXPECT_EQ(body.client_software_version, "y");
}

}  // namespace
}  // namespace sluice::broker::protocol
