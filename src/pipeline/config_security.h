// The pipeline file's `security:` block: how every Kafka client of the
// pipeline's stages logs in, by Kafka's own property names:
//
//   security:
//     security.protocol: SASL_SSL
//     sasl.mechanism: SCRAM-SHA-512
//     sasl.username: claims-stages
//     sasl.password_file: secrets/claims-stages.pw   # or sasl.password: ...
//     ssl.ca.location: /etc/kafka/ca.pem
//
// Invariant: the block holds only keys librdkafka understands as security
// settings (kafka::client_security_keys(), plus sluice's sasl.password_file),
// each once, with non-empty values; anything else is a ConfigError at
// FILE:LINE. Relative file names resolve against the pipeline file's
// directory, like processor options, and a password file must be readable
// when the file is loaded. The block is one of three sources the Kafka layer
// combines (src/kafka/client_security.h: environment > this block > profile).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "kafka/types.h"
#include "pipeline/config_values.h"

namespace sluice::pipeline {

// Reads the block into `settings` (file order), recording each key's source.
void read_security(const ConfigValue& v, kafka::Settings& settings,
                   std::map<std::string, ConfigSource>& sources);

// Makes the block's file names absolute against `base_dir` and checks that the
// password file can be read (a ConfigError at its line otherwise).
void resolve_security_files(kafka::Settings& settings,
                            const std::map<std::string, ConfigSource>& sources,
                            const std::filesystem::path& base_dir);

}  // namespace sluice::pipeline
