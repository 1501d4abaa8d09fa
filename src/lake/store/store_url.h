// Parsing of store URLs (see open_store in object_store.h). Query options win
// over the environment so a test or a one-off command can override a host's
// settings; unknown options are rejected so a typo cannot silently fall back
// to a default.
#pragma once

#include <map>
#include <string>

#include "lake/store/s3_store.h"

namespace sluice::lake {

// The AWS_* variables the S3 store reads, from the process environment.
std::map<std::string, std::string> aws_environment();

// Throws StoreError for a malformed s3:// URL or option.
S3Config s3_config_from_url(const std::string& url, const std::map<std::string, std::string>& env);

}  // namespace sluice::lake
