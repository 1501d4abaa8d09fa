// What the REST layer needs from the registry's storage: a consistent view of
// the state to read, and a way to append the records a proposal made.
//
// Invariant: append() returns only once every record it was given is durable
// in the log AND applied to the state that read() shows, so a reply built after
// it reflects the change (read-your-writes). Proposals are made and appended
// while holding writer(), so two requests never propose from the same state.
#pragma once

#include <functional>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "registry/registry_record.h"
#include "registry/registry_state.h"

namespace sluice::registry {

// A failed append: the log could not take the records or did not hand them back
// in time. Its message says which and what to check.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;
  // Runs `fn` with the state held still.
  virtual void read(const std::function<void(const RegistryState&)>& fn) const = 0;
  // Throws StoreError.
  virtual void append(const std::vector<RegistryRecord>& records) = 0;
  // Returns once the state holds everything the log held when called (another
  // process's writes included). Throws StoreError.
  virtual void catch_up() = 0;
  virtual std::mutex& writer() = 0;
};

}  // namespace sluice::registry
