// common/uuid.h: Kafka's text form of a UUID, and the ids random_v4() mints.
#include "common/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice {
namespace {

TEST(Uuid, TextIsKafkasBase64UrlWithoutPaddingAndParsesBack) {
  Uuid id;
  for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = uint8_t(0xf0 + i);
  std::string text = id.to_string();
  EXPECT_EQ(text.size(), 22u);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;
  EXPECT_EQ(Uuid::parse(text), id);
  EXPECT_EQ(Uuid().to_string(), "AAAAAAAAAAAAAAAAAAAAAA") << "Kafka's ZERO_UUID";
  EXPECT_TRUE(Uuid().is_zero());
}

TEST(Uuid, ParseRefusesAnythingButTheTwentyTwoCharacterForm) {
  EXPECT_FALSE(Uuid::parse(""));
  EXPECT_FALSE(Uuid::parse("AAAAAAAAAAAAAAAAAAAAA"));    // 21
  EXPECT_FALSE(Uuid::parse("AAAAAAAAAAAAAAAAAAAAAAA"));  // 23
  EXPECT_FALSE(Uuid::parse("AAAAAAAAAAAAAAAAAAAA=="));   // padding
  EXPECT_FALSE(Uuid::parse("AAAAAAAAAAAAAAAAAAAA+A"));   // standard alphabet
  EXPECT_FALSE(Uuid::parse("AAAAAAAAAAAAAAAAAAAAAB"));   // bits past the 16th byte
  EXPECT_FALSE(Uuid::parse("AAAAAAAAAAAAAAAAAAAA!A"));
}

TEST(Uuid, RandomIdsAreVersionFourDistinctAndNeverStartWithADash) {
  std::set<Uuid> seen;
  for (int i = 0; i < 2000; ++i) {
    Uuid id = Uuid::random_v4();
    EXPECT_EQ(id.bytes[6] >> 4, 4);
    EXPECT_EQ(id.bytes[8] >> 6, 2);
    EXPECT_FALSE(id.is_zero());
    EXPECT_NE(id.to_string()[0], '-');
    EXPECT_TRUE(seen.insert(id).second);
  }
}

}  // namespace
}  // namespace sluice
