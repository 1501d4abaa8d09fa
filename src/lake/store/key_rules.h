// The keys every back end accepts: relative, '/'-separated paths with no empty,
// "." or ".." segments and no segment starting with ".tmp-" (the local store's
// in-flight files). One rule set for all back ends, so a lake that works on the
// local filesystem also works on S3 and the other way round.
#pragma once

#include <string>
#include <string_view>

namespace sluice::lake {

// Throws StoreError naming the store and the key when `key` breaks the rules.
void check_key(std::string_view store_url, const std::string& key);
// Checks the whole segments of a list() prefix; the partial last segment may be anything.
void check_prefix(std::string_view store_url, const std::string& prefix);

// The prefix the local store gives its temp files; never a valid key segment.
inline constexpr std::string_view kTempPrefix = ".tmp-";

}  // namespace sluice::lake
