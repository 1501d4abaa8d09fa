// How every Kafka client sluice builds (stages, `sluice up`'s children, every
// CLI) learns to log in to a secured cluster: from the environment, which
// `sluice up` passes on to the processes it starts.
//
//   SLUICE_SECURITY_PROTOCOL  -> security.protocol   (PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL)
//   SLUICE_SASL_MECHANISM     -> sasl.mechanisms     (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, ...)
//   SLUICE_SASL_USERNAME      -> sasl.username
//   SLUICE_SASL_PASSWORD      -> sasl.password
//   SLUICE_SSL_<NAME>         -> ssl.<name>, '_' as '.' (SLUICE_SSL_CA_LOCATION -> ssl.ca.location)
//
// Settings a client is given explicitly still win (conf.h applies these first).
#pragma once

#include "kafka/types.h"

namespace sluice::kafka {

// The librdkafka settings the environment asks for; empty when none is set.
Settings security_settings_from_environment();

}  // namespace sluice::kafka
