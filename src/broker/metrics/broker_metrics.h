// The built-in broker's /metrics: what an operator alerts on for a single-node
// broker (requests and failures per Kafka API, bytes in and out, topics and
// partitions, log size and the free space left on the data dir's filesystem)
// and consumer-group lag seen from the broker (ops/lag_metrics.h).
//
// Everything is computed at scrape time from the broker's context, so storage,
// groups and connections keep no metrics knowledge and a series vanishes with
// the thing it measures (a deleted group, a deleted topic).
#pragma once

#include <memory>

#include "broker/broker_context.h"
#include "ops/metrics.h"

namespace sluice::broker {

// Adds the broker's families to `registry` as scrape-time sources. `ctx` must
// outlive every later registry.render().
void add_broker_metrics(ops::MetricsRegistry& registry, BrokerContext& ctx);

// The request, byte, topic and disk families alone (without lag), for tests.
std::vector<ops::CollectedFamily> broker_families(const BrokerContext& ctx);

}  // namespace sluice::broker
