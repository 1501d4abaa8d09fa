#include "broker/acl/acl_store.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "broker/acl/acl_file.h"
#include "broker/storage/durable_file.h"

namespace sluice::broker::acl {

AclStore::AclStore(std::filesystem::path data_dir)
    : path_(file_in(data_dir)), acls_(std::make_shared<std::vector<AclBinding>>()) {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return;
  std::ifstream in(path_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read ACL file " + path_.string());
  std::vector<AclBinding> loaded = decode_acl_file(text.str(), path_.string());
  std::sort(loaded.begin(), loaded.end());  // list() promises equal patterns adjacent
  acls_ = std::make_shared<std::vector<AclBinding>>(std::move(loaded));
}

std::filesystem::path AclStore::file_in(const std::filesystem::path& data_dir) {
  return data_dir / "acls";
}

AclStore::Snapshot AclStore::snapshot() const {
  std::lock_guard lock(mu_);
  return acls_;
}

std::vector<AclBinding> AclStore::list(const AclFilter& filter) const {
  std::vector<AclBinding> out;
  for (const AclBinding& b : *snapshot()) {
    if (filter.matches(b)) out.push_back(b);
  }
  return out;
}

void AclStore::add(const std::vector<AclBinding>& bindings) {
  for (const AclBinding& b : bindings) {
    if (auto why = invalid_reason(b))
      throw std::invalid_argument("cannot store ACL " + describe(b) + ": " + *why);
  }
  std::lock_guard lock(mu_);
  std::vector<AclBinding> next = *acls_;
  for (const AclBinding& b : bindings) {
    if (std::find(next.begin(), next.end(), b) == next.end()) next.push_back(b);
  }
  if (next.size() != acls_->size()) replace(std::move(next));
}

std::vector<std::vector<AclBinding>> AclStore::remove(const std::vector<AclFilter>& filters) {
  std::lock_guard lock(mu_);
  std::vector<std::vector<AclBinding>> removed(filters.size());
  std::vector<AclBinding> next;
  for (const AclBinding& b : *acls_) {
    bool keep = true;
    for (size_t i = 0; i < filters.size(); ++i) {
      if (filters[i].matches(b)) {
        removed[i].push_back(b);
        keep = false;
      }
    }
    if (keep) next.push_back(b);
  }
  if (next.size() != acls_->size()) replace(std::move(next));
  return removed;
}

void AclStore::replace(std::vector<AclBinding> next) {
  std::sort(next.begin(), next.end());
  write_file_atomically(path_, encode_acl_file(next));
  acls_ = std::make_shared<std::vector<AclBinding>>(std::move(next));
}

}  // namespace sluice::broker::acl
