// Base64 against RFC 4648's test vectors, a round trip of every byte value at
// every length remainder, and the texts decode() must refuse.
#include "common/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::base64 {
namespace {

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(encode(plain), encoded) << plain;
    EXPECT_EQ(decode(encoded), std::string(plain)) << encoded;
  }
}

TEST(Base64, EveryByteValueRoundTripsAtEveryRemainder) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += char(b);
  for (size_t cut = 0; cut < 3; ++cut) {
    const std::string bytes = all.substr(cut);
    EXPECT_EQ(decode(encode(bytes)), bytes) << cut;
  }
  EXPECT_EQ(encode("\xff\xfe"), "//4=");
}

TEST(Base64, RefusesWhatIsNotPaddedBase64) {
  for (const char* bad :
       {"Zg", "Zm9", "Zg=", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg=", "Zh==", "Zm9=", "Zm 9v"}) {
    EXPECT_EQ(decode(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace sluice::base64
