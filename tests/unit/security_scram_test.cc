// SCRAM and PLAIN as the broker's server side runs them: RFC 7677's worked
// SCRAM-SHA-256 exchange byte for byte, a SHA-512 exchange against a client
// computed here from RFC 5802's formulas, refusals, and the credential store.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "broker/security/plain_exchange.h"
#include "broker/security/scram_exchange.h"
#include "common/base64.h"
#include "temp_dir.h"

namespace sluice::broker::security {
namespace {

using Status = SaslStep::Status;

// RFC 7677 section 3.
constexpr char kRfcSalt[] = "W22ZaJ0SNY7soEsUEjb6gQ==";
constexpr char kRfcServerNonce[] = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr char kRfcClientFirst[] = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr char kRfcServerFirst[] =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr char kRfcClientFinal[] =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr char kRfcServerFinal[] = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramCredential rfc_credential() {
  std::string salt = *base64::decode(kRfcSalt);
  return ScramCredential::from_salted_password(
      ScramMechanism::kSha256, salt, 4096,
      salted_password(ScramMechanism::kSha256, "pencil", salt, 4096));
}

ScramExchange::NonceSource fixed_nonce(std::string nonce) {
  return [nonce] { return nonce; };
}

// A SCRAM client from RFC 5802's formulas: the final message for `password`.
// `nonce_prefix` goes before the nonce in the final message, as librdkafka 2.0 does.
std::string client_final(ScramMechanism m, const std::string& client_first_bare,
                         const std::string& server_first, const std::string& password,
                         const std::string& nonce_prefix = "") {
  std::string nonce, salt;
  int iterations = 0;
  std::stringstream in(server_first);
  for (std::string attr; std::getline(in, attr, ',');) {
    if (attr.starts_with("r=")) nonce = attr.substr(2);
    if (attr.starts_with("s=")) salt = *base64::decode(attr.substr(2));
    if (attr.starts_with("i=")) iterations = std::stoi(attr.substr(2));
  }
  std::string without_proof = "c=biws,r=" + nonce_prefix + nonce;
  std::string auth = client_first_bare + "," + server_first + "," + without_proof;
  std::string salted = salted_password(m, password, salt, iterations);
  std::string client_key = hmac(m, salted, "Client Key");
  std::string signature = hmac(m, hash(m, client_key), auth);
  return without_proof + ",p=" + base64::encode(xor_bytes(client_key, signature));
}

class ScramTest : public ::testing::Test {
 protected:
  testing::TempDir dir_{"sluice-scram"};
  ScramCredentialStore store_{dir_.path()};
};

TEST_F(ScramTest, Rfc7677ExchangeMatchesByteForByte) {
  store_.upsert("user", ScramMechanism::kSha256, rfc_credential());
  ScramExchange server(ScramMechanism::kSha256, store_, fixed_nonce(kRfcServerNonce));
  SaslStep first = server.step(kRfcClientFirst);
  ASSERT_EQ(first.status, Status::kContinue) << first.error;
  EXPECT_EQ(first.response, kRfcServerFirst);
  SaslStep last = server.step(kRfcClientFinal);
  ASSERT_EQ(last.status, Status::kDone) << last.error;
  EXPECT_EQ(last.response, kRfcServerFinal);
  EXPECT_EQ(last.user, "user");
}

// librdkafka 2.0 sends its own nonce again before the combined one; Kafka
// accepts a final nonce that ends with the server's, and so do we.
TEST_F(ScramTest, AFinalNonceEndingWithTheServersIsAccepted) {
  store_.upsert("user", ScramMechanism::kSha256, rfc_credential());
  ScramExchange server(ScramMechanism::kSha256, store_);
  SaslStep first = server.step("n,,n=user,r=cnonce");
  ASSERT_EQ(first.status, Status::kContinue);
  SaslStep last = server.step(
      client_final(ScramMechanism::kSha256, "n=user,r=cnonce", first.response, "pencil", "cnonce"));
  EXPECT_EQ(last.status, Status::kDone) << last.error;
}

TEST_F(ScramTest, Sha512ExchangeWithTheRightPasswordSucceeds) {
  store_.upsert("alice", ScramMechanism::kSha512,
                ScramCredential::from_password(ScramMechanism::kSha512, "s3cret", 8192));
  ScramExchange server(ScramMechanism::kSha512, store_);
  SaslStep first = server.step("n,,n=alice,r=abc123");
  ASSERT_EQ(first.status, Status::kContinue) << first.error;
  EXPECT_NE(first.response.find(",i=8192"), std::string::npos);
  SaslStep last = server.step(
      client_final(ScramMechanism::kSha512, "n=alice,r=abc123", first.response, "s3cret"));
  EXPECT_EQ(last.status, Status::kDone) << last.error;
}

TEST_F(ScramTest, WrongPasswordFailsWithKafkasMessage) {
  store_.upsert("alice", ScramMechanism::kSha256,
                ScramCredential::from_password(ScramMechanism::kSha256, "right"));
  ScramExchange server(ScramMechanism::kSha256, store_);
  SaslStep first = server.step("n,,n=alice,r=xyz");
  SaslStep last =
      server.step(client_final(ScramMechanism::kSha256, "n=alice,r=xyz", first.response, "wrong"));
  EXPECT_EQ(last.status, Status::kFailed);
  EXPECT_EQ(last.error,
            "Authentication failed during authentication due to invalid credentials with SASL "
            "mechanism SCRAM-SHA-256");
  EXPECT_EQ(last.user, "alice");
}

TEST_F(ScramTest, UnknownUserLooksLikeAWrongPassword) {
  ScramExchange server(ScramMechanism::kSha256, store_);
  SaslStep first = server.step("n,,n=nobody,r=xyz");
  ASSERT_EQ(first.status, Status::kContinue) << "the first round must not reveal the user";
  SaslStep last =
      server.step(client_final(ScramMechanism::kSha256, "n=nobody,r=xyz", first.response, "guess"));
  EXPECT_EQ(last.status, Status::kFailed);
  EXPECT_NE(last.error.find("invalid credentials"), std::string::npos);
}

TEST_F(ScramTest, TamperedNonceAndMalformedMessagesFail) {
  store_.upsert("user", ScramMechanism::kSha256, rfc_credential());
  ScramExchange server(ScramMechanism::kSha256, store_, fixed_nonce("other"));
  ASSERT_EQ(server.step(kRfcClientFirst).status, Status::kContinue);
  EXPECT_EQ(server.step(kRfcClientFinal).status, Status::kFailed);  // nonce differs

  ScramExchange binding(ScramMechanism::kSha256, store_);
  EXPECT_EQ(binding.step("p=tls-unique,,n=user,r=x").status, Status::kFailed);
  ScramExchange garbage(ScramMechanism::kSha256, store_);
  EXPECT_EQ(garbage.step("hello").status, Status::kFailed);
}

TEST_F(ScramTest, EscapedUserNamesAreDecoded) {
  store_.upsert("a,b=c", ScramMechanism::kSha256,
                ScramCredential::from_password(ScramMechanism::kSha256, "pw"));
  ScramExchange server(ScramMechanism::kSha256, store_);
  SaslStep first = server.step("n,,n=a=2Cb=3Dc,r=n1");
  SaslStep last =
      server.step(client_final(ScramMechanism::kSha256, "n=a=2Cb=3Dc,r=n1", first.response, "pw"));
  EXPECT_EQ(last.status, Status::kDone) << last.error;
  EXPECT_EQ(last.user, "a,b=c");
}

TEST_F(ScramTest, PlainChecksThePasswordAgainstTheScramCredential) {
  store_.upsert("bob", ScramMechanism::kSha512,
                ScramCredential::from_password(ScramMechanism::kSha512, "hunter2"));
  using namespace std::string_literals;
  EXPECT_EQ(PlainExchange(store_).step("\0bob\0hunter2"s).status, Status::kDone);
  EXPECT_EQ(PlainExchange(store_).step("bob\0bob\0hunter2"s).status, Status::kDone);
  SaslStep wrong = PlainExchange(store_).step("\0bob\0hunter3"s);
  EXPECT_EQ(wrong.status, Status::kFailed);
  EXPECT_EQ(wrong.error, "Authentication failed: Invalid username or password");
  EXPECT_EQ(PlainExchange(store_).step("\0eve\0hunter2"s).status, Status::kFailed);
  EXPECT_EQ(PlainExchange(store_).step("eve\0bob\0hunter2"s).status, Status::kFailed);
  EXPECT_EQ(PlainExchange(store_).step("no separators"s).status, Status::kFailed);
}

TEST_F(ScramTest, CredentialsSurviveReopeningAndHoldNoPassword) {
  store_.upsert("carol", ScramMechanism::kSha256,
                ScramCredential::from_password(ScramMechanism::kSha256, "correct horse"));
  store_.upsert("carol", ScramMechanism::kSha512,
                ScramCredential::from_password(ScramMechanism::kSha512, "correct horse"));
  store_.upsert("dave x", ScramMechanism::kSha256,
                ScramCredential::from_password(ScramMechanism::kSha256, "battery"));
  ScramCredentialStore reopened(dir_.path());
  EXPECT_EQ(reopened.of_user("carol").size(), 2u);
  EXPECT_TRUE(password_matches(reopened, "carol", "correct horse"));
  EXPECT_TRUE(password_matches(reopened, "dave x", "battery"));
  EXPECT_FALSE(password_matches(reopened, "carol", "battery"));

  std::ifstream file(ScramCredentialStore::file_in(dir_.path()));
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("correct horse"), std::string::npos);
  EXPECT_EQ(text.find("battery"), std::string::npos);
  EXPECT_NE(text.find("dave%20x"), std::string::npos);

  EXPECT_TRUE(reopened.remove("carol", ScramMechanism::kSha256));
  EXPECT_FALSE(reopened.remove("carol", ScramMechanism::kSha256));
  EXPECT_EQ(ScramCredentialStore(dir_.path()).of_user("carol").size(), 1u);
}

TEST_F(ScramTest, AMalformedFileIsRefusedNamingTheLine) {
  std::filesystem::create_directories(dir_.path() / "other" / "security");
  std::ofstream(ScramCredentialStore::file_in(dir_.path() / "other"))
      << "sluice-scram-credentials 1\nSCRAM-SHA-256 u 4096 !!! a b\n";
  try {
    ScramCredentialStore broken(dir_.path() / "other");
    FAIL() << "a malformed file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::broker::security
