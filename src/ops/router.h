// Exact-path routing for the admin HTTP surface, independent of the HTTP library.
//
// Invariant: every request gets an answer a person can act on — the handler's
// reply, 405 naming the methods the path accepts, 404 listing every route, or
// 500 carrying the handler's exception message. Routes may be added while
// requests are served; handlers run outside the routing lock.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace sluice::ops {

struct HttpReply {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
};

class Router {
 public:
  using GetHandler = std::function<HttpReply()>;
  using PostHandler = std::function<HttpReply(const std::string& body)>;

  // Paths are matched exactly and must start with '/'. Adding a route again replaces it.
  void get(const std::string& path, GetHandler fn);
  void post(const std::string& path, PostHandler fn);

  // HEAD is answered like GET (the HTTP layer drops the body).
  HttpReply dispatch(const std::string& method, const std::string& path,
                     const std::string& body) const;

 private:
  struct Route {
    GetHandler get;
    PostHandler post;
  };
  Route& route(const std::string& path);  // requires mu_
  std::string listing() const;            // requires mu_

  mutable std::mutex mu_;
  std::map<std::string, Route> routes_;
};

}  // namespace sluice::ops
