// The `sluice topics` subcommands that live in their own files, each
// registered by topics_command.cc on the `topics` command; they share its
// cluster flags (only one leaf is ever parsed).
#pragma once

#include "cli/support/kafka_flags.h"

namespace sluice::cli {

// `sluice topics produce TOPIC`: records from stdin, one per line, to an existing topic.
void add_topics_produce(CLI::App* topics, AdminCommands& commands);
// `sluice topics consume TOPIC`: records to stdout, one per line.
void add_topics_consume(CLI::App* topics, AdminCommands& commands);

}  // namespace sluice::cli
