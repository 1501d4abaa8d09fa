// open_store(): the one place that maps a URL's scheme to a back end.
#include <filesystem>

#include "lake/store/local_store.h"
#include "lake/store/object_store.h"
#include "lake/store/s3_store.h"
#include "lake/store/store_url.h"

namespace sluice::lake {

std::unique_ptr<ObjectStore> open_store(const std::string& url) {
  if (!url.empty() && url.front() == '/') return std::make_unique<LocalStore>(url);
  // A path without a scheme is a local directory relative to the working
  // directory, as any command-line tool reads a path; it is made absolute once
  // here so the store's URL stays valid if the process changes directory.
  if (!url.empty() && url.find("://") == std::string::npos)
    return std::make_unique<LocalStore>(std::filesystem::absolute(url).lexically_normal().string());
  if (url.rfind("file://", 0) == 0) {
    const std::string path = url.substr(7);
    if (path.empty() || path.front() != '/')
      throw StoreError("'" + url + "' must name an absolute path: file:///abs/path");
    return std::make_unique<LocalStore>(path);
  }
  if (url.rfind("s3://", 0) == 0)
    return std::make_unique<S3Store>(s3_config_from_url(url, aws_environment()));
  throw StoreError("unsupported store URL '" + url +
                   "': use a path, file:///abs/path or s3://bucket/prefix?endpoint=...");
}

}  // namespace sluice::lake
