// One client connection: read a size-prefixed frame, dispatch it, write the
// answer, repeat. A malformed frame, an unknown API or an unsupported version
// ends in the protocol's error answer or a logged close, never in a crash.
#pragma once

#include <string>

#include "broker/broker_context.h"

namespace sluice::broker {

void serve_connection(BrokerContext& ctx, int fd, const std::string& peer);

}  // namespace sluice::broker
