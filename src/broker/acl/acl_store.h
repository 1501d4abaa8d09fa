// The broker's ACLs, held in memory and in `<data dir>/acls` (format:
// docs/formats/acls.md).
//
// Invariants: the in-memory set is exactly what the file holds; a change is
// written (temp file, fsync, rename, directory fsync) before it becomes
// visible, so a crash leaves either the old or the new set and an answer to
// CreateAcls/DeleteAcls is never ahead of the disk. A failed write throws and
// leaves both unchanged. Readers take a snapshot, never a lock held across
// a decision, so authorization never waits for a write to disk.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "broker/acl/acl_model.h"

namespace sluice::broker::acl {

class AclStore {
 public:
  using Snapshot = std::shared_ptr<const std::vector<AclBinding>>;

  // Loads the file in `data_dir` (none: no ACLs). Throws std::runtime_error
  // when the file cannot be read or decoded.
  explicit AclStore(std::filesystem::path data_dir);

  static std::filesystem::path file_in(const std::filesystem::path& data_dir);

  Snapshot snapshot() const;
  // The ACLs `filter` selects, sorted (so equal resource patterns are adjacent).
  std::vector<AclBinding> list(const AclFilter& filter) const;
  // Adds the bindings not already present (adding an existing ACL is not an
  // error, as in Kafka). Throws std::invalid_argument, storing nothing, when
  // one is invalid (invalid_reason()).
  void add(const std::vector<AclBinding>& bindings);
  // Removes, for each filter, the ACLs it matches; returns them per filter.
  std::vector<std::vector<AclBinding>> remove(const std::vector<AclFilter>& filters);

 private:
  void replace(std::vector<AclBinding> next);  // persist, then publish; mu_ held

  std::filesystem::path path_;
  mutable std::mutex mu_;  // serializes writers and guards acls_
  Snapshot acls_;
};

}  // namespace sluice::broker::acl
