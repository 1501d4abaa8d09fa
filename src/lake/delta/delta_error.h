// Errors of the Delta layer. ConflictError is the one a writer may retry after
// re-reading the log; every other DeltaError means the table or the request is
// wrong and a person has to look.
#pragma once

#include <stdexcept>

namespace sluice::lake::delta {

class DeltaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A concurrent commit changed something this one depended on (the table's
// metadata or protocol, or the same application's txn version).
class ConflictError : public DeltaError {
 public:
  using DeltaError::DeltaError;
};

}  // namespace sluice::lake::delta
