#include "cli/users/sasl_client.h"

#include <stdexcept>

#include "common/base64.h"

namespace sluice::cli {
namespace {

using namespace broker::security;

// RFC 5802 saslname: ',' and '=' are escaped.
std::string saslname(const std::string& user) {
  std::string out;
  for (char c : user) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

std::string attribute(const std::string& message, char name) {
  std::string key = std::string(1, name) + "=";
  for (size_t start = 0; start < message.size();) {
    size_t end = message.find(',', start);
    if (end == std::string::npos) end = message.size();
    if (message.compare(start, 2, key) == 0) return message.substr(start + 2, end - start - 2);
    start = end + 1;
  }
  throw std::runtime_error("malformed SCRAM message from the broker (no '" + key + "')");
}

}  // namespace

SaslClient::SaslClient(const std::string& mechanism, std::string user, std::string password)
    : user_(std::move(user)), password_(std::move(password)) {
  if (mechanism != "PLAIN") {
    scram_ = scram_mechanism_named(mechanism);
    if (!scram_) {
      throw std::runtime_error("SASL mechanism " + mechanism +
                               " is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)");
    }
  }
}

std::string SaslClient::first_message() {
  round_ = 1;
  if (!scram_) return std::string(1, '\0') + user_ + '\0' + password_;
  client_nonce_ = base64::encode(random_bytes(18));
  client_first_bare_ = "n=" + saslname(user_) + ",r=" + client_nonce_;
  return "n,," + client_first_bare_;
}

std::optional<std::string> SaslClient::next_message(const std::string& server_message) {
  if (!scram_ || round_ == 2) {
    if (scram_ && "v=" + expected_server_signature_ != server_message) {
      throw std::runtime_error(
          "the broker's SCRAM signature is wrong: it does not hold this "
          "user's credential (or is not the broker you meant)");
    }
    return std::nullopt;
  }
  round_ = 2;
  std::string nonce = attribute(server_message, 'r');
  auto salt = base64::decode(attribute(server_message, 's'));
  int iterations = std::stoi(attribute(server_message, 'i'));
  if (!salt || !nonce.starts_with(client_nonce_) || iterations < kMinScramIterations) {
    throw std::runtime_error("malformed or weak SCRAM challenge from the broker");
  }
  std::string without_proof = "c=biws,r=" + nonce;
  std::string auth = client_first_bare_ + "," + server_message + "," + without_proof;
  std::string salted = salted_password(*scram_, password_, *salt, iterations);
  std::string client_key = hmac(*scram_, salted, "Client Key");
  std::string signature = hmac(*scram_, hash(*scram_, client_key), auth);
  expected_server_signature_ =
      base64::encode(hmac(*scram_, keys_from_salted_password(*scram_, salted).server_key, auth));
  return without_proof + ",p=" + base64::encode(xor_bytes(client_key, signature));
}

}  // namespace sluice::cli
