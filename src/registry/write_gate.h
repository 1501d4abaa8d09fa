// Where a change to the registry is made. With several registry processes on
// one `_schemas` topic exactly one of them (the elected writer) appends; the
// others hand each change to it and answer with its reply.
#pragma once

#include <optional>

#include "ops/router.h"

namespace sluice::registry {

struct ApiRequest;

class WriteGate {
 public:
  virtual ~WriteGate() = default;
  // nullopt: this process is the writer and makes the change itself; else the
  // writer's reply to `request` (or an error saying why there was none).
  virtual std::optional<ops::HttpReply> forward(const ApiRequest& request) = 0;
  // Whether this process is the writer now. Asked again under the store's writer
  // lock before appending: the election takes that lock before it lets the
  // writer go, so a change started by the writer ends before a successor starts.
  virtual bool holds() const = 0;
};

}  // namespace sluice::registry
