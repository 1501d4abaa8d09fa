// Just enough XML for S3 responses (ListObjectsV2, multipart, <Error>): S3 never
// nests an element inside one of the same name and puts no attributes on the
// ones read here, so finding "<Tag>...</Tag>" pairs is exact for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::lake::s3xml {

// The raw inner text of every <tag>...</tag>, in document order.
std::vector<std::string_view> elements(std::string_view xml, std::string_view tag);
// The unescaped text of the first <tag>, or nullopt.
std::optional<std::string> text(std::string_view xml, std::string_view tag);

std::string unescape(std::string_view s);
std::string escape(std::string_view s);

// "2024-01-31T12:00:00.123Z" -> milliseconds since the epoch; 0 when malformed.
int64_t iso8601_ms(std::string_view s);

}  // namespace sluice::lake::s3xml
