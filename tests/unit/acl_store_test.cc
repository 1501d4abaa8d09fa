// The ACL store: what it keeps survives a restart, its file format
// (docs/formats/acls.md) round-trips any name, and it refuses a file it does
// not fully understand instead of starting with fewer rules.
#include "broker/acl/acl_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "broker/acl/acl_file.h"
#include "temp_dir.h"

namespace sluice::broker::acl {
namespace {

AclBinding binding(std::string name, PatternType pattern = PatternType::kLiteral) {
  return {{ResourceType::kTopic, std::move(name), pattern},
          {"User:alice", "*", Operation::kRead, Permission::kAllow}};
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

TEST(AclStore, AStoreWithoutAFileIsEmptyAndCreatesNone) {
  testing::TempDir dir("acl-store");
  AclStore store(dir.path());
  EXPECT_TRUE(store.snapshot()->empty());
  EXPECT_FALSE(std::filesystem::exists(AclStore::file_in(dir.path())));
}

TEST(AclStore, AddedAclsSurviveARestart) {
  testing::TempDir dir("acl-store");
  {
    AclStore store(dir.path());
    store.add({binding("orders"), binding("team-a.", PatternType::kPrefixed)});
  }
  AclStore reopened(dir.path());
  EXPECT_EQ(reopened.list({}).size(), 2u);
  AclFilter prefixed;
  prefixed.pattern = PatternType::kPrefixed;
  ASSERT_EQ(reopened.list(prefixed).size(), 1u);
  EXPECT_EQ(reopened.list(prefixed)[0].pattern.name, "team-a.");
}

TEST(AclStore, AddingAnExistingAclChangesNothing) {
  testing::TempDir dir("acl-store");
  AclStore store(dir.path());
  store.add({binding("orders")});
  store.add({binding("orders")});
  EXPECT_EQ(store.snapshot()->size(), 1u);
}

TEST(AclStore, AnInvalidAclIsNotStoredNorAreItsCompanions) {
  testing::TempDir dir("acl-store");
  AclStore store(dir.path());
  AclBinding invalid = binding("x");
  invalid.entry.principal = "alice";
  EXPECT_THROW(store.add({binding("orders"), invalid}), std::invalid_argument);
  EXPECT_TRUE(store.snapshot()->empty());
}

TEST(AclStore, RemoveReturnsWhatEachFilterMatchedAndPersistsIt) {
  testing::TempDir dir("acl-store");
  AclStore store(dir.path());
  store.add({binding("orders"), binding("payments"), binding("audit")});
  AclFilter orders;
  orders.name = "orders";
  AclFilter none;
  none.name = "nothing";
  auto removed = store.remove({orders, none});
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].size(), 1u);
  EXPECT_TRUE(removed[1].empty());
  EXPECT_EQ(AclStore(dir.path()).snapshot()->size(), 2u);
  store.remove({AclFilter{}});
  EXPECT_TRUE(AclStore(dir.path()).snapshot()->empty());
}

TEST(AclStore, ASnapshotTakenBeforeAChangeKeepsItsContent) {
  testing::TempDir dir("acl-store");
  AclStore store(dir.path());
  store.add({binding("orders")});
  AclStore::Snapshot before = store.snapshot();
  store.remove({AclFilter{}});
  EXPECT_EQ(before->size(), 1u);
}

TEST(AclFile, AnyNameRoundTrips) {
  std::vector<AclBinding> acls{binding("tab\there"), binding("new\nline"), binding("back\\slash"),
                               binding("ünïcode")};
  acls[0].entry.principal = "User:we\tird";
  EXPECT_EQ(decode_acl_file(encode_acl_file(acls), "test"), acls);
}

TEST(AclFile, TheFormatIsOneTabSeparatedLinePerAcl) {
  EXPECT_EQ(encode_acl_file({binding("team-a.", PatternType::kPrefixed)}),
            "sluice-acls 1\nTOPIC\tPREFIXED\tteam-a.\tUser:alice\t*\tREAD\tALLOW\n");
}

TEST(AclFile, ANewerVersionIsRefusedNotHalfRead) {
  testing::TempDir dir("acl-store");
  write(AclStore::file_in(dir.path()), "sluice-acls 2\n");
  try {
    AclStore store(dir.path());
    FAIL() << "a version-2 file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("version '2'"), std::string::npos) << e.what();
  }
}

TEST(AclFile, AMalformedLineIsRefusedWithItsLineNumber) {
  testing::TempDir dir("acl-store");
  write(AclStore::file_in(dir.path()),
        "sluice-acls 1\nTOPIC\tLITERAL\torders\tUser:a\t*\tREAD\tALLOW\nTOPIC\tLITERAL\tx\n");
  EXPECT_THROW(
      {
        try {
          AclStore store(dir.path());
        } catch (const std::runtime_error& e) {
          EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
          throw;
        }
      },
      std::runtime_error);
}

TEST(AclFile, AnInvalidAclIsRefused) {
  EXPECT_THROW(
      decode_acl_file("sluice-acls 1\nTOPIC\tLITERAL\torders\tnobody\t*\tREAD\tALLOW\n", "test"),
      std::runtime_error);
  EXPECT_THROW(decode_acl_file("", "test"), std::runtime_error);
}

}  // namespace
}  // namespace sluice::broker::acl
