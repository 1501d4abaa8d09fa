#include "common/free_memory.h"

#include <malloc.h>

#include <cstddef>

// jemalloc's control interface, present only when the binary links jemalloc
// (CMake option SLUICE_JEMALLOC): weak, so every other binary links without it.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace sluice {
namespace {

// jemalloc's MALLCTL_ARENAS_ALL: "arena.4096.purge" purges all arenas.
constexpr const char* kPurgeAllArenas = "arena.4096.purge";

}  // namespace

void release_free_memory() {
  if (mallctl != nullptr) {
    mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
    mallctl(kPurgeAllArenas, nullptr, nullptr, nullptr, 0);
    return;
  }
  malloc_trim(0);
}

}  // namespace sluice
