// Errors from the Kafka layer, worded for an operator: what failed, with which
// input, and what to do. Callers print what() as is; no codes to decode.
//
// ErrorCode carries librdkafka's error code (0: none) to callers outside
// src/kafka/ without librdkafka's headers; they ask it questions through the
// functions below rather than comparing numbers.
#pragma once

#include <stdexcept>
#include <string>

namespace sluice::kafka {

class KafkaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using ErrorCode = int;

// librdkafka's one-line description of `err`.
std::string error_text(ErrorCode err);
// The client's local queue is full: serve delivery reports, then try again.
bool is_queue_full(ErrorCode err);
// The client lost its connection (a transport failure, or every broker down).
bool is_connection_lost(ErrorCode err);
// The cluster refused the client's login (SASL: a wrong user or password, a
// mechanism it does not offer). Retrying with the same settings fails the same way.
bool is_login_refused(ErrorCode err);

// An idempotent producer's error that only a new producer id clears: its
// fatal error, or the broker no longer accepting its sequence numbers (lost
// producer state, a fenced epoch). Producing again with the same producer
// fails the same way for ever; a fresh producer starts at sequence 0.
bool needs_new_producer(ErrorCode err);

// Throws KafkaError("<what>: <librdkafka's text>") when `err` is set.
void throw_if(ErrorCode err, const std::string& what);

// "cannot reach HOST:PORT<detail> — is the broker running? check --bootstrap", where
// detail is e.g. ": connection refused" or " within 10000 ms: no answer".
std::string unreachable_message(const std::string& bootstrap, const std::string& detail);

}  // namespace sluice::kafka
