// Route table and dispatch for the admin HTTP surface.
#include "ops/router.h"

#include <fmt/format.h>

#include <stdexcept>

namespace sluice::ops {

Router::Route& Router::route(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    throw std::invalid_argument(fmt::format("admin route '{}' must start with '/'", path));
  }
  return routes_[path];
}

void Router::get(const std::string& path, GetHandler fn) {
  std::lock_guard lock(mu_);
  route(path).get = std::move(fn);
}

void Router::post(const std::string& path, PostHandler fn) {
  std::lock_guard lock(mu_);
  route(path).post = std::move(fn);
}

std::string Router::listing() const {
  std::string out;
  for (const auto& [path, r] : routes_) {
    if (r.get) out += fmt::format("  GET  {}\n", path);
    if (r.post) out += fmt::format("  POST {}\n", path);
  }
  return out;
}

namespace {

// Runs a handler; an exception becomes a 500 whose body says what failed.
template <typename Fn>
HttpReply guarded(const std::string& what, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return {.status = 500, .body = fmt::format("{} failed: {}\n", what, e.what())};
  }
}

}  // namespace

HttpReply Router::dispatch(const std::string& method, const std::string& path,
                           const std::string& body) const {
  GetHandler get_fn;
  PostHandler post_fn;
  {
    std::lock_guard lock(mu_);
    auto it = routes_.find(path);
    if (it == routes_.end()) {
      return {.status = 404,
              .body = fmt::format("no route for {} {}; this server answers:\n{}", method, path,
                                  listing())};
    }
    get_fn = it->second.get;
    post_fn = it->second.post;
  }
  std::string what = method + " " + path;
  if ((method == "GET" || method == "HEAD") && get_fn) return guarded(what, get_fn);
  if (method == "POST" && post_fn) return guarded(what, [&] { return post_fn(body); });
  std::string allowed = get_fn && post_fn ? "GET or POST" : get_fn ? "GET" : "POST";
  return {.status = 405,
          .body = fmt::format("{} does not accept {}; use {}\n", path, method, allowed)};
}

}  // namespace sluice::ops
