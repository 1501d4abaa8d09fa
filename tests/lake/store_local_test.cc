// LocalStore keeps the ObjectStore contract on a real directory: whole objects
// only, kIfAbsent decided by the filesystem (one winner among racing threads),
// sorted listing that never shows temp files, and keys that cannot escape the root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "lake/store/local_store.h"
#include "lake/store/object_store.h"

namespace sluice::lake {
namespace {
namespace fs = std::filesystem;

class StoreLocalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sluice-store-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    store_ = open_store(root_.string());
  }
  void TearDown() override { fs::remove_all(root_); }

  std::vector<std::string> keys(const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& info : store_->list(prefix)) out.push_back(info.key);
    return out;
  }

  fs::path root_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(StoreLocalTest, PutGetHeadRemoveRoundTrip) {
  const std::string data("binary\0data\xff", 12);
  EXPECT_TRUE(store_->put("dir/sub/obj.bin", data));
  EXPECT_EQ(store_->get("dir/sub/obj.bin"), data);
  auto info = store_->head("dir/sub/obj.bin");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->key, "dir/sub/obj.bin");
  EXPECT_EQ(info->size, 12);
  EXPECT_GT(info->modified_ms, 1600000000000);

  EXPECT_TRUE(store_->put("dir/sub/obj.bin", "v2"));  // kOverwrite replaces
  EXPECT_EQ(store_->get("dir/sub/obj.bin"), "v2");

  store_->remove("dir/sub/obj.bin");
  EXPECT_FALSE(store_->get("dir/sub/obj.bin"));
  EXPECT_FALSE(store_->head("dir/sub/obj.bin"));
  store_->remove("dir/sub/obj.bin");  // removing a missing key is not an error
}

TEST_F(StoreLocalTest, EmptyObjectAndMissingKeys) {
  EXPECT_TRUE(store_->put("empty", ""));
  EXPECT_EQ(store_->get("empty"), "");
  EXPECT_EQ(store_->head("empty")->size, 0);
  EXPECT_FALSE(store_->get("missing"));
  EXPECT_FALSE(store_->get("missing/deeper"));
  EXPECT_FALSE(store_->get("empty/under-a-file"));  // ENOTDIR is "absent" too
  EXPECT_TRUE(store_->put("d/x", "1"));
  EXPECT_FALSE(store_->get("d"));  // a directory is a prefix, not an object
  EXPECT_FALSE(store_->head("d"));
}

TEST_F(StoreLocalTest, ListIsRecursiveSortedAndFilteredByPrefix) {
  for (const char* key : {"b/2", "a", "b/1", "b/10/x", "ba", "c/d/e/f"}) store_->put(key, key);
  EXPECT_EQ(keys(""), (std::vector<std::string>{"a", "b/1", "b/10/x", "b/2", "ba", "c/d/e/f"}));
  EXPECT_EQ(keys("b/"), (std::vector<std::string>{"b/1", "b/10/x", "b/2"}));
  EXPECT_EQ(keys("b"), (std::vector<std::string>{"b/1", "b/10/x", "b/2", "ba"}));
  EXPECT_EQ(keys("b/1"), (std::vector<std::string>{"b/1", "b/10/x"}));
  EXPECT_EQ(keys("nothing/"), std::vector<std::string>{});
  auto infos = store_->list("c/");
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].size, 7);
}

TEST_F(StoreLocalTest, IfAbsentWritesOnlyOnce) {
  EXPECT_TRUE(store_->put("_delta_log/0.json", "first", PutMode::kIfAbsent));
  EXPECT_FALSE(store_->put("_delta_log/0.json", "second", PutMode::kIfAbsent));
  EXPECT_EQ(store_->get("_delta_log/0.json"), "first");
  EXPECT_EQ(keys(""), std::vector<std::string>{"_delta_log/0.json"});  // loser left no temp file
  EXPECT_TRUE(store_->supports_conditional_put());
}

TEST_F(StoreLocalTest, RacingIfAbsentWritersHaveExactlyOneWinner) {
  for (int round = 0; round < 50; ++round) {
    const std::string key = "race/" + std::to_string(round);
    std::atomic<int> winners{0}, ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        ready++;
        while (ready.load() < 4) {
        }
        if (store_->put(key, "writer-" + std::to_string(t), PutMode::kIfAbsent)) winners++;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(winners.load(), 1) << key;
    EXPECT_EQ(store_->get(key)->rfind("writer-", 0), 0u);
  }
  EXPECT_EQ(store_->list("race/").size(), 50u);
}

TEST_F(StoreLocalTest, BadKeysAreRejected) {
  const std::vector<std::string> bad = {
      "",      "/abs", "../escape", "a/../../b",  "a//b",
      "a/./b", "dir/", ".tmp-x",    "a/.tmp-y/b", std::string("nul\0byte", 8)};
  for (const std::string& key : bad) {
    EXPECT_THROW(store_->put(key, "x"), StoreError) << key;
    EXPECT_THROW(store_->get(key), StoreError) << key;
    EXPECT_THROW(store_->head(key), StoreError) << key;
    EXPECT_THROW(store_->remove(key), StoreError) << key;
  }
  EXPECT_THROW(store_->list("../"), StoreError);
  EXPECT_THROW(store_->list("/etc/"), StoreError);
  EXPECT_FALSE(fs::exists(root_.parent_path() / "escape"));
  try {
    store_->put("../escape", "x");
  } catch (const StoreError& e) {
    // The message names the store, the key and what a valid key looks like.
    EXPECT_NE(std::string(e.what()).find(root_.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'../escape'"), std::string::npos) << e.what();
  }
}

TEST_F(StoreLocalTest, LeftoverTempFilesFromACrashAreInvisible) {
  store_->put("t/real", "whole");
  // What a writer killed between write and rename leaves behind.
  std::ofstream(root_ / "t" / ".tmp-real-deadbeef") << "partial";
  std::ofstream(root_ / "t" / ".tmp-new-0123") << "partial";
  fs::create_directories(root_ / ".tmp-dir");
  std::ofstream(root_ / ".tmp-dir" / "x") << "partial";

  EXPECT_EQ(keys(""), std::vector<std::string>{"t/real"});
  EXPECT_EQ(store_->get("t/real"), "whole");
  EXPECT_FALSE(store_->head("t/new"));
  // A later put of the same key is unaffected by the leftover.
  EXPECT_TRUE(store_->put("t/new", "complete", PutMode::kIfAbsent));
  EXPECT_EQ(store_->get("t/new"), "complete");
}

TEST_F(StoreLocalTest, LeftoverTempFilesAreListedAsUnfinishedAndCanBeRemoved) {
  store_->put("t/real", "whole");
  std::ofstream(root_ / "t" / ".tmp-real-deadbeef") << "partial";
  fs::create_directories(root_ / "u");
  std::ofstream(root_ / "u" / ".tmp-other-01") << "partial";  // outside the prefix below
  fs::create_directories(root_ / "t" / ".tmp-dir");
  std::ofstream(root_ / "t" / ".tmp-dir" / "x") << "inside a temp directory";

  std::vector<std::string> unfinished;
  for (const auto& info : store_->list_unfinished("t/")) unfinished.push_back(info.key);
  EXPECT_EQ(unfinished, std::vector<std::string>{"t/.tmp-real-deadbeef"});
  store_->remove_unfinished("t/.tmp-real-deadbeef");
  EXPECT_TRUE(store_->list_unfinished("t/").empty());
  EXPECT_EQ(store_->get("t/real"), "whole");
  EXPECT_THROW(store_->remove_unfinished("t/real"), StoreError) << "objects are not leftovers";
  EXPECT_THROW(store_->remove_unfinished("../.tmp-x"), StoreError) << "nothing outside the root";
}

TEST_F(StoreLocalTest, PutLeavesNoTempFilesBehind) {
  for (int i = 0; i < 20; ++i) store_->put("k/" + std::to_string(i % 3), std::string(1000, 'x'));
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_)) files += e.is_regular_file();
  EXPECT_EQ(files, 3);
}

TEST_F(StoreLocalTest, UrlForms) {
  EXPECT_EQ(store_->url(), "file://" + root_.string());
  auto via_file_url = open_store("file://" + root_.string());
  store_->put("shared", "1");
  EXPECT_EQ(via_file_url->get("shared"), "1");
}

TEST_F(StoreLocalTest, ARelativePathIsALocalStoreUnderTheWorkingDirectory) {
  store_->put("shared", "1");
  const fs::path before = fs::current_path();
  fs::current_path(root_.parent_path());
  auto relative = open_store(root_.filename().string());
  fs::current_path("/");  // the store keeps meaning the same directory
  EXPECT_EQ(relative->get("shared"), "1");
  EXPECT_EQ(relative->url(), "file://" + root_.string());
  fs::current_path(before);
}

TEST_F(StoreLocalTest, UrlFormsThatAreRefused) {
  EXPECT_THROW(open_store("file://relative"), StoreError);
  EXPECT_THROW(open_store("gs://bucket"), StoreError);
  EXPECT_THROW(open_store(""), StoreError);
}

TEST_F(StoreLocalTest, UncreatableRootIsAClearError) {
  store_->put("file", "x");  // a regular file cannot hold a directory, even for root
  const std::string bad = (root_ / "file" / "lake").string();
  try {
    open_store(bad);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::lake
