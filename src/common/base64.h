// Base64 (RFC 4648 section 4, standard alphabet, '=' padding), for bytes that
// must travel inside text that cannot hold them as they are: a record's value
// that is not UTF-8 in a JSON line (`sluice topics consume`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::base64 {

std::string encode(std::string_view bytes);
// nullopt when `text` is not padded base64 (wrong length, a character outside
// the alphabet, padding anywhere but at the end, or non-zero padding bits).
std::optional<std::string> decode(std::string_view text);

}  // namespace sluice::base64
