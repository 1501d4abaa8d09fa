// The latest snapshot of the served table, shared by every request and by the
// Kafka tail (which trims what the table has taken over).
//
// Invariant: a snapshot handed out never changes (requests keep theirs to the
// end of an answer), and the snapshot kept only moves forward: when a newer
// commit exists, a copy of the kept one is brought up to date with the new
// commits only, and kept if it is newer than what another caller kept meanwhile.
// The lock guards the pointer alone, never a read from the store.
#pragma once

#include <memory>
#include <mutex>

#include "lake/delta/delta_log.h"
#include "lake/delta/table_state.h"

namespace sluice::serve {

class TableSnapshots {
 public:
  // `log` (and its store) must outlive this object.
  explicit TableSnapshots(const lake::delta::DeltaLog& log) : log_(log) {}

  // The table's latest version now (reads the store); version -1 when there is no table yet.
  // Thread-safe; a slow store delays its caller only.
  std::shared_ptr<const lake::delta::TableState> latest();
  // The newest snapshot kept so far, without reading the store; null before any.
  std::shared_ptr<const lake::delta::TableState> kept() const;

 private:
  const lake::delta::DeltaLog& log_;
  mutable std::mutex mu_;  // guards kept_ (the pointer, not what it points to)
  std::shared_ptr<const lake::delta::TableState> kept_;
};

}  // namespace sluice::serve
