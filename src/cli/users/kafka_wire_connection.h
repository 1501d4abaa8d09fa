// A blocking Kafka-protocol connection for the two requests librdkafka 2.0
// (Debian bookworm's) cannot send: Describe/AlterUserScramCredentials arrived
// in librdkafka 2.2. It speaks the standard protocol with the broker's message
// descriptions, so it works against Apache Kafka too; once librdkafka >= 2.2 is
// the floor, src/kafka/'s AdminClient should take this over.
//
// One request at a time; every read and write is bounded by the timeout.
// Failures throw std::runtime_error naming the broker and what failed.
#pragma once

#include <string>

#include "broker/protocol/codec.h"

namespace sluice::cli {

struct ClientSecurity {
  std::string protocol = "PLAINTEXT";  // or SASL_PLAINTEXT
  std::string mechanism = "SCRAM-SHA-256";
  std::string username;
  std::string password;
};

class KafkaWireConnection {
 public:
  // Connects to the first HOST:PORT of `bootstrap` and, on SASL_PLAINTEXT,
  // authenticates with SaslHandshake v1 + SaslAuthenticate v1.
  KafkaWireConnection(const std::string& bootstrap, int timeout_ms, const ClientSecurity& security);
  ~KafkaWireConnection();
  KafkaWireConnection(const KafkaWireConnection&) = delete;
  KafkaWireConnection& operator=(const KafkaWireConnection&) = delete;

  template <typename Response, typename Request>
  Response call(int16_t version, bool flexible, Request& request) {
    Bytes body;
    ByteWriter w(body);
    broker::protocol::Encoder e(w, version, flexible);
    e.write_message(request);
    Bytes answer = round_trip(Request::kKey, version, flexible, body);
    Response response;
    broker::protocol::Decoder d(answer, answer_body_offset_, version, flexible);
    d.read_message(response);
    return response;
  }

 private:
  // Sends one request and returns the response frame; answer_body_offset_ says
  // where its body starts (after the correlation id and, if flexible, tags).
  Bytes round_trip(int16_t key, int16_t version, bool flexible, const Bytes& body);
  void authenticate(const ClientSecurity& security);
  std::string sasl_step(const std::string& token);

  std::string address_;
  int fd_ = -1;
  int32_t correlation_ = 0;
  size_t answer_body_offset_ = 0;
};

}  // namespace sluice::cli
