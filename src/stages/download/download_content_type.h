// Which responses the download stage keeps, by Content-Type. Only the media
// type counts ("application/pdf; charset=binary" is "application/pdf"),
// compared case-insensitively, since parameters vary between servers for the
// same kind of file. An allowed entry "image/*" matches every image subtype.
#pragma once

#include <string>
#include <vector>

namespace sluice::stages {

// "Text/Plain; charset=utf-8" -> "text/plain"; "" when there is none.
std::string media_type(const std::string& content_type);

// True when `content_type`'s media type equals an entry's (or falls under "type/*").
bool content_type_allowed(const std::string& content_type, const std::vector<std::string>& allowed);

// True when `content_type` is the media type `expected` names (itself parameters ignored).
bool content_type_matches(const std::string& content_type, const std::string& expected);

}  // namespace sluice::stages
