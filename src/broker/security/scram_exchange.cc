#include "broker/security/scram_exchange.h"

#include <fmt/format.h>

#include "common/base64.h"

namespace sluice::broker::security {
namespace {

// RFC 5802 section 5.1: in a saslname, ',' and '=' travel as "=2C" and "=3D".
std::optional<std::string> decode_saslname(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out += s[i];
    } else if (s.substr(i, 3) == "=2C") {
      out += ',';
      i += 2;
    } else if (s.substr(i, 3) == "=3D") {
      out += '=';
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Splits "a=1,b=2" into its comma-separated attributes.
std::vector<std::string_view> attributes(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::optional<std::string_view> value_of(std::string_view attribute, char name) {
  if (attribute.size() < 2 || attribute[0] != name || attribute[1] != '=') return std::nullopt;
  return attribute.substr(2);
}

}  // namespace

ScramExchange::ScramExchange(ScramMechanism m, const ScramCredentialStore& store,
                             NonceSource server_nonce)
    : mechanism_(m), store_(store), server_nonce_(std::move(server_nonce)) {}

std::string ScramExchange::random_nonce() {
  return base64::encode(random_bytes(24));  // base64 holds no ',' and is printable
}

SaslStep ScramExchange::step(std::string_view token) {
  switch (stage_) {
    case Stage::kFirst:
      return client_first(token);
    case Stage::kFinal:
      return client_final(token);
    case Stage::kOver:
      break;
  }
  return SaslStep::fail(user_, "SCRAM exchange is already over");
}

SaslStep ScramExchange::client_first(std::string_view message) {
  stage_ = Stage::kOver;  // until the message proves well-formed
  auto malformed = [&](std::string_view why) {
    return SaslStep::fail(user_, fmt::format("Invalid SCRAM client-first message: {}", why));
  };
  // gs2-header = cbind-flag "," [authzid] ","
  auto parts = attributes(message);
  if (parts.size() < 4) return malformed("expected gs2 header, n= and r=");
  if (parts[0] != "n" && parts[0] != "y") return malformed("channel binding is not supported");
  size_t bare_start = parts[0].size() + 1 + parts[1].size() + 1;
  gs2_header_ = std::string(message.substr(0, bare_start));
  client_first_bare_ = std::string(message.substr(bare_start));
  auto name = value_of(parts[2], 'n');
  auto nonce = value_of(parts[3], 'r');
  if (!name || !nonce || nonce->empty()) return malformed("expected n=USER,r=NONCE");
  auto user = decode_saslname(*name);
  if (!user || user->empty()) return malformed("the user name is not a valid saslname");
  user_ = *user;
  if (!parts[1].empty() && parts[1] != "a=" + std::string(*name)) {
    return SaslStep::fail(user_, "Authentication failed: authorization id must equal the username");
  }
  for (size_t i = 4; i < parts.size(); ++i) {
    if (parts[i] == "tokenauth=true") return malformed("delegation tokens are not supported");
  }
  credential_ = store_.find(user_, mechanism_);
  // An unknown user is answered with a salt derived from the name (stable, so
  // repeated tries look like a real user's) and is refused at the proof.
  ScramCredential shown = credential_.value_or(ScramCredential{
      hmac(mechanism_, "sluice-unknown-user", user_).substr(0, 32), kMinScramIterations, {}, {}});
  nonce_ = std::string(*nonce) + server_nonce_();
  server_first_ =
      fmt::format("r={},s={},i={}", nonce_, base64::encode(shown.salt), shown.iterations);
  stage_ = Stage::kFinal;
  return {SaslStep::Status::kContinue, server_first_, {}, user_};
}

SaslStep ScramExchange::client_final(std::string_view message) {
  stage_ = Stage::kOver;
  size_t proof_at = message.rfind(",p=");
  if (proof_at == std::string_view::npos) {
    return SaslStep::fail(user_, "Invalid SCRAM client-final message: no proof");
  }
  std::string_view without_proof = message.substr(0, proof_at);
  auto parts = attributes(without_proof);
  auto binding = parts.size() >= 2 ? value_of(parts[0], 'c') : std::nullopt;
  auto nonce = parts.size() >= 2 ? value_of(parts[1], 'r') : std::nullopt;
  auto proof = base64::decode(message.substr(proof_at + 3));
  if (!binding || !nonce || !proof) {
    return SaslStep::fail(user_, "Invalid SCRAM client-final message: expected c=,r=,p=");
  }
  // Kafka accepts a final nonce that ends with the server's (librdkafka 2.0
  // sends its own nonce again in front of it); the server's fresh part is
  // still there, which is what defeats replay.
  if (base64::decode(*binding) != gs2_header_ || !nonce->ends_with(nonce_)) {
    return SaslStep::fail(user_,
                          "Invalid SCRAM client-final message: channel binding or nonce "
                          "does not match the first round");
  }
  if (!credential_) return fail_credentials();
  std::string auth_message =
      fmt::format("{},{},{}", client_first_bare_, server_first_, without_proof);
  std::string client_signature = hmac(mechanism_, credential_->stored_key, auth_message);
  if (proof->size() != client_signature.size()) return fail_credentials();
  std::string client_key = xor_bytes(*proof, client_signature);
  if (!constant_time_equal(hash(mechanism_, client_key), credential_->stored_key)) {
    return fail_credentials();
  }
  std::string server_signature = hmac(mechanism_, credential_->server_key, auth_message);
  return {SaslStep::Status::kDone, "v=" + base64::encode(server_signature), {}, user_};
}

SaslStep ScramExchange::fail_credentials() const {
  return SaslStep::fail(user_,
                        fmt::format("Authentication failed during authentication due to invalid "
                                    "credentials with SASL mechanism {}",
                                    mechanism_name(mechanism_)));
}

}  // namespace sluice::broker::security
