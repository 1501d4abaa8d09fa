// Multipart upload for objects above the threshold: the object appears only when
// CompleteMultipartUpload succeeds, so readers never see a partial one; on any
// failure the upload is aborted so the parts do not linger (and cost) in the bucket.
#include <string>

#include "common/crash_point.h"
#include "lake/store/s3_store.h"
#include "lake/store/s3_xml.h"

namespace sluice::lake {

bool S3Store::put_multipart(const std::string& key, std::string_view data, bool if_absent) {
  const std::string object = object_name(key);
  Call create{"CreateMultipartUpload", key, "POST", object, {{"uploads", ""}}, {}, {}};
  HttpResponse r = send(create);
  if (r.status != 200) fail(create, r);
  const std::string upload_id = s3xml::text(r.body, "UploadId").value_or("");
  if (upload_id.empty()) {
    throw StoreError("S3 CreateMultipartUpload '" + key + "' in " + url() +
                     ": the response has no UploadId; check the server's multipart support");
  }

  auto abort = [&] {
    // Best effort: the original failure is what the caller needs to hear about.
    send({"AbortMultipartUpload", key, "DELETE", object, {{"uploadId", upload_id}}, {}, {}});
  };
  try {
    std::string complete = "<CompleteMultipartUpload>";
    const auto part_size = static_cast<size_t>(config_.part_size);
    for (size_t offset = 0, number = 1; offset < data.size(); offset += part_size, ++number) {
      Call part{"UploadPart",
                key,
                "PUT",
                object,
                {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
                {},
                data.substr(offset, part_size)};
      r = send(part);
      if (r.status != 200) fail(part, r);
      auto etag = r.headers.find("etag");
      if (etag == r.headers.end()) {
        throw StoreError("S3 UploadPart " + std::to_string(number) + " of '" + key + "' in " +
                         url() + ": the response has no ETag header");
      }
      complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                  s3xml::escape(etag->second) + "</ETag></Part>";
      // A kill here leaves an upload with parts but no object (docs/reliability.md "Crash points").
      if (number == 1) crash_point("store.put.partial");
    }
    complete += "</CompleteMultipartUpload>";

    Call finish{"CompleteMultipartUpload", key, "POST",  object,
                {{"uploadId", upload_id}}, {},  complete};
    if (if_absent) finish.headers.emplace_back("if-none-match", "*");
    r = send(finish);
    if (if_absent && already_exists(r)) {
      abort();
      return false;
    }
    // S3 may answer 200 and still report an error in the body once the parts are assembled.
    if (r.status != 200 || r.body.find("<Error>") != std::string::npos) fail(finish, r);
    return true;
  } catch (...) {
    abort();
    throw;
  }
}

}  // namespace sluice::lake
