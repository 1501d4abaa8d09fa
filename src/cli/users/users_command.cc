// `sluice users add|list|delete`: SCRAM users of a SASL broker. Online (the
// default) through Kafka's credential APIs, so it manages Apache Kafka's users
// too; offline with --data-dir against a stopped broker's data dir, which is how
// the first super user is created before SASL is switched on.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/support/commands.h"
#include "cli/support/json.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/table.h"
#include "cli/users/offline_credentials.h"
#include "cli/users/online_credentials.h"
#include "cli/users/password_input.h"

namespace sluice::cli {
namespace {

using broker::security::mechanism_name;

struct UsersFlags {
  KafkaFlags kafka;
  std::string data_dir;  // set: offline
  std::string user;
  std::string mechanism = "all";
  int32_t iterations = broker::security::kMinScramIterations;
  bool password_stdin = false;
  std::string password;  // --password: discouraged, visible in `ps`
  bool json = false;
};

std::unique_ptr<CredentialAdmin> open_credentials(const UsersFlags& f) {
  if (!f.data_dir.empty()) return std::make_unique<OfflineCredentials>(f.data_dir);
  return std::make_unique<OnlineCredentials>(f.kafka.bootstrap, f.kafka.timeout_ms,
                                             current_client_security());
}

std::vector<ScramMechanism> mechanisms_named(const std::string& name) {
  if (name == "all") return {ScramMechanism::kSha256, ScramMechanism::kSha512};
  return {*broker::security::scram_mechanism_named(name)};
}

std::string password_for(const UsersFlags& f) {
  if (!f.password.empty()) {
    std::fprintf(stderr,
                 "sluice: warning: --password is visible to every user of this machine (ps, "
                 "shell history); prefer --password-stdin or the prompt\n");
    return f.password;
  }
  return f.password_stdin ? password_from_stdin() : password_from_prompt(f.user);
}

int add(const UsersFlags& f) {
  std::string password = password_for(f);
  auto credentials = open_credentials(f);
  for (ScramMechanism m : mechanisms_named(f.mechanism)) {
    credentials->upsert(f.user, m, f.iterations, password);
    std::printf("user %s: %s credential set (%d iterations)\n", f.user.c_str(),
                std::string(mechanism_name(m)).c_str(), f.iterations);
  }
  return 0;
}

int list(const UsersFlags& f) {
  Table t({"USER", "MECHANISM", "ITERATIONS"});
  std::string json;
  for (const auto& u : open_credentials(f)->list()) {
    for (const auto& [m, iterations] : u.iterations) {
      t.add({u.user, std::string(mechanism_name(m)), std::to_string(iterations)});
      json +=
          fmt::format("{}{{\"user\":{},\"mechanism\":\"{}\",\"iterations\":{}}}",
                      json.empty() ? "" : ",", json_quote(u.user), mechanism_name(m), iterations);
    }
  }
  if (f.json) {
    std::printf("[%s]\n", json.c_str());
  } else {
    t.print();
  }
  return 0;
}

int remove(const UsersFlags& f) {
  auto credentials = open_credentials(f);
  std::vector<ScramMechanism> targets = mechanisms_named(f.mechanism);
  if (f.mechanism == "all") {  // only the mechanisms the user has
    targets.clear();
    for (const auto& u : credentials->list()) {
      if (u.user != f.user) continue;
      for (const auto& entry : u.iterations) targets.push_back(entry.first);
    }
    if (targets.empty()) throw std::runtime_error("there is no user '" + f.user + "'");
  }
  for (ScramMechanism m : targets) {
    credentials->remove(f.user, m);
    std::printf("user %s: %s credential deleted\n", f.user.c_str(),
                std::string(mechanism_name(m)).c_str());
  }
  return 0;
}

// Flags every subcommand has: where the credentials are.
void add_location_flags(CLI::App* cmd, UsersFlags& f) {
  f.kafka.add_to(cmd);
  cmd->add_option("--data-dir", f.data_dir,
                  "Work offline on a STOPPED broker's data dir instead of through the cluster "
                  "(to create the first super user)");
}

void add_mechanism_flag(CLI::App* cmd, UsersFlags& f) {
  cmd->add_option("--mechanism", f.mechanism, "SCRAM-SHA-256, SCRAM-SHA-512 or all")
      ->capture_default_str()
      ->check(CLI::IsMember({"all", "SCRAM-SHA-256", "SCRAM-SHA-512"}));
}

}  // namespace

std::vector<Run> add_users_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto flags = std::make_shared<UsersFlags>();
  CLI::App* users = app.add_subcommand(
      "users",
      "SCRAM users of a SASL broker (online via Kafka's credential APIs; login from env "
      "SLUICE_SECURITY_PROTOCOL, SLUICE_SASL_MECHANISM, SLUICE_SASL_USERNAME, "
      "SLUICE_SASL_PASSWORD)");
  users->require_subcommand(1);

  CLI::App* add_cmd = users->add_subcommand("add", "Create a user or change its password");
  add_cmd->add_option("user", flags->user, "User name")->required();
  add_mechanism_flag(add_cmd, *flags);
  add_cmd->add_option("--iterations", flags->iterations, "SCRAM iterations")
      ->capture_default_str()
      ->check(
          CLI::Range(broker::security::kMinScramIterations, broker::security::kMaxScramIterations));
  add_cmd->add_flag("--password-stdin", flags->password_stdin,
                    "Read the password from the first line of standard input");
  add_cmd->add_option("--password", flags->password,
                      "The password itself (discouraged: visible in ps; a warning is printed)");
  add_location_flags(add_cmd, *flags);

  CLI::App* list_cmd = users->add_subcommand("list", "List users and their SCRAM mechanisms");
  list_cmd->add_flag("--json", flags->json, "One JSON array of {user, mechanism, iterations}");
  add_location_flags(list_cmd, *flags);

  CLI::App* delete_cmd = users->add_subcommand("delete", "Delete a user's credentials");
  delete_cmd->add_option("user", flags->user, "User name")->required();
  add_mechanism_flag(delete_cmd, *flags);
  add_location_flags(delete_cmd, *flags);

  registered.insert(registered.end(), {add_cmd, list_cmd, delete_cmd});
  return {[flags] { return add(*flags); }, [flags] { return list(*flags); },
          [flags] { return remove(*flags); }};
}

}  // namespace sluice::cli
