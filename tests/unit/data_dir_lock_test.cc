// One process at a time owns a broker data dir (broker/storage/data_dir_lock.h).
#include "broker/storage/data_dir_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <optional>
#include <string>

#include "temp_dir.h"

namespace sluice::broker {
namespace {

using testing::TempDir;

TEST(DataDirLock, ASecondHolderIsRefusedAndNamesTheFirst) {
  TempDir dir;
  DataDirLock first(dir.path(), "sluice broker");
  try {
    DataDirLock second(dir.path(), "sluice users");
    FAIL() << "a second lock on the same data dir was granted";
  } catch (const DataDirInUse& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("is in use by sluice broker (pid " + std::to_string(::getpid()) + ")"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(dir.path().string()), std::string::npos) << what;
  }
}

TEST(DataDirLock, IsFreeAgainOnceTheHolderIsGone) {
  TempDir dir;
  std::optional<DataDirLock> first;
  first.emplace(dir.path(), "sluice broker");
  first.reset();
  EXPECT_NO_THROW(DataDirLock(dir.path(), "sluice acls"));
}

TEST(DataDirLock, AnotherProcessIsRefusedWhileHeldAndAKilledHolderLeavesItFree) {
  TempDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // holds the lock until killed
    DataDirLock held(dir.path(), "sluice broker");
    char c = 'x';
    [[maybe_unused]] ssize_t n = ::write(ready[1], &c, 1);
    for (;;) ::pause();
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  EXPECT_THROW(DataDirLock(dir.path(), "sluice users"), DataDirInUse);
  ::kill(child, SIGKILL);  // as kill -9 would: the kernel drops the flock
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_NO_THROW(DataDirLock(dir.path(), "sluice users"));
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST(DataDirLock, StaleContentFromACrashDoesNotBlock) {
  TempDir dir;
  std::ofstream(DataDirLock::file_in(dir.path())) << "sluice broker (pid 1)\n";
  EXPECT_NO_THROW(DataDirLock(dir.path(), "sluice broker"));
}

}  // namespace
}  // namespace sluice::broker
