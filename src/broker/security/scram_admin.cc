#include "broker/security/scram_admin.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "broker/protocol/errors.h"

namespace sluice::broker::security {
namespace {

using protocol::ErrorCode;

struct Refusal {
  ErrorCode code = ErrorCode::kNone;
  std::string message;
};

// Why an upsertion cannot be stored, in Kafka's words and codes.
Refusal check_upsertion(const protocol::AlterUserScramCredentialsRequest::Upsertion& u) {
  if (u.name.empty()) return {ErrorCode::kUnacceptableCredential, "Username must not be empty"};
  if (!scram_mechanism_from_code(u.mechanism)) {
    return {ErrorCode::kUnsupportedSaslMechanism, "Unknown SCRAM mechanism"};
  }
  if (u.iterations < kMinScramIterations) {
    return {ErrorCode::kUnacceptableCredential,
            fmt::format("Too few iterations: at least {} are required", kMinScramIterations)};
  }
  if (u.iterations > kMaxScramIterations) {
    return {ErrorCode::kUnacceptableCredential,
            fmt::format("Too many iterations: at most {} are allowed", kMaxScramIterations)};
  }
  if (u.salt.data.empty() || u.salted_password.data.empty()) {
    return {ErrorCode::kUnacceptableCredential, "Salt and salted password must not be empty"};
  }
  return {};
}

std::string as_string(const protocol::Blob& b) {
  return {reinterpret_cast<const char*>(b.data.data()), b.data.size()};
}

}  // namespace

protocol::DescribeUserScramCredentialsResponse describe_scram_credentials(
    const ScramCredentialStore& store, const protocol::DescribeUserScramCredentialsRequest& in) {
  protocol::DescribeUserScramCredentialsResponse out;
  auto describe = [&](const std::string& user, const ScramCredentialStore::UserCredentials& creds) {
    protocol::DescribeUserScramCredentialsResponse::Result r{user};
    for (const auto& [m, c] : creds) r.credential_infos.push_back({int8_t(m), c.iterations});
    out.results.push_back(std::move(r));
  };
  if (!in.users || in.users->empty()) {
    for (const auto& [user, creds] : store.all()) describe(user, creds);
    return out;
  }
  std::set<std::string> seen;
  for (const auto& u : *in.users) {
    if (!seen.insert(u.name).second) {
      out.results.push_back({u.name,
                             protocol::code(ErrorCode::kDuplicateResource),
                             "Cannot describe SCRAM credentials for the same user twice in a "
                             "single request: " +
                                 u.name,
                             {}});
      continue;
    }
    auto creds = store.of_user(u.name);
    if (creds.empty()) {
      out.results.push_back({u.name,
                             protocol::code(ErrorCode::kResourceNotFound),
                             "Attempt to describe a user credential that does not exist: " + u.name,
                             {}});
      continue;
    }
    describe(u.name, creds);
  }
  return out;
}

protocol::AlterUserScramCredentialsResponse alter_scram_credentials(
    ScramCredentialStore& store, const protocol::AlterUserScramCredentialsRequest& in) {
  // First pass: every user's refusal, if any (the first one found is reported).
  std::map<std::string, Refusal> by_user;
  std::set<std::pair<std::string, int8_t>> touched;
  auto note = [&](const std::string& user, int8_t mechanism, Refusal refusal) {
    Refusal& r = by_user[user];
    if (!touched.insert({user, mechanism}).second && refusal.code == ErrorCode::kNone) {
      refusal = {ErrorCode::kDuplicateResource,
                 "A user credential cannot be altered twice in the same request"};
    }
    if (r.code == ErrorCode::kNone) r = std::move(refusal);
  };
  for (const auto& d : in.deletions) {
    auto m = scram_mechanism_from_code(d.mechanism);
    Refusal r;
    if (d.name.empty()) {
      r = {ErrorCode::kUnacceptableCredential, "Username must not be empty"};
    } else if (!m) {
      r = {ErrorCode::kUnsupportedSaslMechanism, "Unknown SCRAM mechanism"};
    } else if (!store.find(d.name, *m)) {
      r = {ErrorCode::kResourceNotFound, "Attempt to delete a user credential that does not exist"};
    }
    note(d.name, d.mechanism, std::move(r));
  }
  for (const auto& u : in.upsertions) note(u.name, u.mechanism, check_upsertion(u));

  // Second pass: apply the changes of users with no refusal, then answer.
  for (const auto& d : in.deletions) {
    if (by_user[d.name].code == ErrorCode::kNone) {
      store.remove(d.name, *scram_mechanism_from_code(d.mechanism));
    }
  }
  for (const auto& u : in.upsertions) {
    if (by_user[u.name].code != ErrorCode::kNone) continue;
    auto m = *scram_mechanism_from_code(u.mechanism);
    store.upsert(u.name, m,
                 ScramCredential::from_salted_password(m, as_string(u.salt), u.iterations,
                                                       as_string(u.salted_password)));
  }
  protocol::AlterUserScramCredentialsResponse out;
  for (auto& [user, refusal] : by_user) {
    protocol::NullableString message;
    if (refusal.code != ErrorCode::kNone) message = std::move(refusal.message);
    out.results.push_back({user, protocol::code(refusal.code), std::move(message)});
  }
  return out;
}

}  // namespace sluice::broker::security
