// How every Kafka client sluice builds (stages, `sluice up` and its children,
// every CLI) learns to log in to a secured cluster. Three sources, by Kafka's
// own property names (`security.protocol`, `sasl.mechanism(s)`,
// `sasl.username`, `sasl.password`, `ssl.*`), plus sluice's
// `sasl.password_file` (the password is that file's first line):
//
//   1. the environment, key by key (highest):
//        SLUICE_SECURITY_PROTOCOL  -> security.protocol
//        SLUICE_SASL_MECHANISM     -> sasl.mechanisms
//        SLUICE_SASL_USERNAME      -> sasl.username
//        SLUICE_SASL_PASSWORD      -> sasl.password
//        SLUICE_SASL_PASSWORD_FILE -> sasl.password_file
//        SLUICE_SSL_<NAME>         -> ssl.<name>, '_' as '.' (SLUICE_SSL_CA_LOCATION ->
//        ssl.ca.location) SLUICE_ENABLE_SSL_CERTIFICATE_VERIFICATION ->
//        enable.ssl.certificate.verification
//   2. the pipeline file's `security:` block (use_pipeline_security), which,
//      when present, replaces the profile's settings as a whole: it describes
//      the cluster of that pipeline, which need not be the profile's;
//   3. the profile (use_profile_security), the user's default login.
//
// The environment wins, as it does over every other pipeline setting
// (SLUICE_BOOTSTRAP over `bootstrap:`): a deployment injects secrets and
// per-environment values there without editing the file. `sasl.password` and
// `sasl.password_file` are one setting: a source giving either replaces both.
//
// Settings a client is given explicitly still win (conf.h applies these first).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kafka/types.h"

namespace sluice::kafka {

// Every key the sources above accept, librdkafka's spelling (sasl.mechanism is
// accepted as an alias of sasl.mechanisms).
const std::vector<std::string_view>& client_security_keys();
bool is_client_security_key(std::string_view key);

// The settings the environment asks for, in the spelling above; empty when none is set.
Settings security_settings_from_environment();

// The lower layers, set once at start by the command that knows them.
void use_profile_security(Settings settings);
void use_pipeline_security(Settings settings);

// Combines the three sources by the rules above (a pure function, for tests).
Settings merge_security(const Settings& profile, const Settings& pipeline, const Settings& env);

// The merged settings of this process, `sasl.password_file` still a file name:
// what to hand a child process (security_environment) so it logs in the same way.
Settings client_security_layers();

// What every client applies: client_security_layers() with the password file
// read. Throws std::runtime_error naming the file when it cannot be read.
Settings client_security_settings();

// The SLUICE_* variables that carry `settings` (security.protocol ->
// SLUICE_SECURITY_PROTOCOL), for a child process's environment.
Settings security_environment(const Settings& settings);

}  // namespace sluice::kafka
