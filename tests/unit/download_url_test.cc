// URL rules and redirect resolution for the download stage, plus the
// domain allowlist and Content-Type matching that gate each hop.
#include "stages/download/download_url.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "stages/download/download_content_type.h"
#include "stages/download/download_host_allowlist.h"
#include "stages/download/download_ssrf_guard.h"

namespace sluice::stages {
namespace {

TEST(DownloadUrl, ParsesHttpAndHttps) {
  DownloadUrl u = parse_download_url("http://Example.COM:8080/a/b.pdf?x=1");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 8080);
  EXPECT_FALSE(u.ip_literal);
  EXPECT_EQ(parse_download_url("https://example.com/").port, 443);
  EXPECT_EQ(parse_download_url("http://example.com./x").host, "example.com");
}

TEST(DownloadUrl, IpLiteralsAreRecognisedInEveryForm) {
  DownloadUrl v6 = parse_download_url("http://[::ffff:127.0.0.1]/");
  EXPECT_TRUE(v6.ip_literal);
  EXPECT_EQ(v6.host.find('['), std::string::npos);
  EXPECT_TRUE(parse_download_url("http://127.0.0.1:9/").ip_literal);
  // curl normalises numeric IPv4 spellings; either way the resolver judges the value.
  for (const char* url : {"http://2130706433/", "http://0x7f.1/", "http://[::ffff:127.0.0.1]/",
                          "http://0177.0.0.1/", "http://127.1/"}) {
    DownloadUrl u = parse_download_url(url);
    EXPECT_EQ(vet_host(u.host, {}).kind, VettedHost::kRefused) << url << " -> " << u.host;
  }
}

TEST(DownloadUrl, RefusesOtherSchemesAndCredentials) {
  for (const char* url : {"ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/",
                          "dict://example.com:11211/", "ldap://example.com/"}) {
    try {
      parse_download_url(url);
      ADD_FAILURE() << url;
    } catch (const UrlError& e) {
      EXPECT_FALSE(e.malformed()) << url;
      EXPECT_NE(std::string(e.what()).find("scheme"), std::string::npos) << e.what();
    }
  }
  for (const char* url : {"http://user:pass@example.com/", "http://user@example.com/",
                          "https://:secret@example.com/"}) {
    try {
      parse_download_url(url);
      ADD_FAILURE() << url;
    } catch (const UrlError& e) {
      EXPECT_NE(std::string(e.what()).find("credentials"), std::string::npos) << e.what();
    }
  }
}

TEST(DownloadUrl, MalformedUrlsAreValidationErrors) {
  for (const char* url : {"", "example.com/x", "http://", "not a url"}) {
    try {
      parse_download_url(url);
      ADD_FAILURE() << url;
    } catch (const UrlError& e) {
      EXPECT_TRUE(e.malformed()) << url << ": " << e.what();
    }
  }
}

TEST(DownloadUrl, ResolvesRedirectsRelativeToTheAnsweringUrl) {
  const std::string base = "http://a.example.com:8080/dir/file?q=1";
  EXPECT_EQ(resolve_redirect(base, "other").url, "http://a.example.com:8080/dir/other");
  EXPECT_EQ(resolve_redirect(base, "/root").url, "http://a.example.com:8080/root");
  EXPECT_EQ(resolve_redirect(base, "../up").url, "http://a.example.com:8080/up");
  EXPECT_EQ(resolve_redirect(base, "?z=2").url, "http://a.example.com:8080/dir/file?z=2");
  DownloadUrl abs = resolve_redirect(base, "https://b.example.org/x");
  EXPECT_EQ(abs.host, "b.example.org");
  EXPECT_EQ(abs.port, 443);
  DownloadUrl scheme_relative = resolve_redirect(base, "//c.example.net/y");
  EXPECT_EQ(scheme_relative.host, "c.example.net");
  EXPECT_EQ(scheme_relative.scheme, "http");
  EXPECT_EQ(resolve_redirect(base, "http://169.254.169.254/latest").host, "169.254.169.254");
}

TEST(DownloadUrl, RedirectsAreCheckedLikeTaskUrls) {
  const std::string base = "http://example.com/";
  EXPECT_THROW(resolve_redirect(base, "file:///etc/passwd"), UrlError);
  EXPECT_THROW(resolve_redirect(base, "ftp://example.com/"), UrlError);
  EXPECT_THROW(resolve_redirect(base, "http://u:p@example.com/"), UrlError);
  try {
    resolve_redirect(base, "gopher://x/");
  } catch (const UrlError& e) {
    EXPECT_FALSE(e.malformed());
    EXPECT_NE(std::string(e.what()).find("redirect from http://example.com/"), std::string::npos);
  }
}

TEST(DownloadHostAllowlist, EmptyAllowsEverything) {
  HostAllowlist any;
  EXPECT_TRUE(any.allows("anything.example"));
}

TEST(DownloadHostAllowlist, ExactAndSuffixEntries) {
  HostAllowlist list({"files.example.com", ".Cdn.Example.org", "127.0.0.1"});
  EXPECT_TRUE(list.allows("files.example.com"));
  EXPECT_TRUE(list.allows("FILES.example.com."));
  EXPECT_FALSE(list.allows("x.files.example.com"));
  EXPECT_FALSE(list.allows("example.com"));
  EXPECT_TRUE(list.allows("a.cdn.example.org"));
  EXPECT_TRUE(list.allows("a.b.cdn.example.org"));
  EXPECT_FALSE(list.allows("cdn.example.org")) << "a suffix entry does not match the apex";
  EXPECT_FALSE(list.allows("evilcdn.example.org"));
  EXPECT_FALSE(list.allows("cdn.example.org.evil.com"));
  EXPECT_TRUE(list.allows("127.0.0.1"));
  EXPECT_FALSE(list.allows("127.0.0.2"));
}

TEST(DownloadContentType, ComparesMediaTypesOnly) {
  EXPECT_EQ(media_type("Text/Plain; charset=UTF-8"), "text/plain");
  EXPECT_EQ(media_type("  application/pdf  "), "application/pdf");
  EXPECT_EQ(media_type(""), "");
  const std::vector<std::string> allowed = {"application/pdf", "image/*", "text/plain"};
  EXPECT_TRUE(content_type_allowed("application/pdf", allowed));
  EXPECT_TRUE(content_type_allowed("APPLICATION/PDF; name=x.pdf", allowed));
  EXPECT_TRUE(content_type_allowed("image/png", allowed));
  EXPECT_TRUE(content_type_allowed("text/plain; charset=utf-8", allowed));
  EXPECT_FALSE(content_type_allowed("text/html", allowed));
  EXPECT_FALSE(content_type_allowed("", allowed));
  EXPECT_FALSE(content_type_allowed("application/pdfx", allowed));
  EXPECT_FALSE(content_type_allowed("imagex/png", allowed));
  EXPECT_TRUE(content_type_matches("application/pdf; charset=binary", "application/pdf"));
  EXPECT_TRUE(content_type_matches("image/PNG", "image/png"));
  EXPECT_FALSE(content_type_matches("image/jpeg", "image/png"));
  EXPECT_FALSE(content_type_matches("", "image/png"));
}

sockaddr_in v4_sockaddr(const char* ip) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  inet_pton(AF_INET, ip, &s.sin_addr);
  return s;
}

TEST(DownloadSsrfGuard, SocketCheckAcceptsOnlyVettedAddresses) {
  AddressPolicy p;
  p.allowed.push_back(*parse_cidr("127.0.0.1/32"));
  const std::vector<IpAddress> vetted = {*parse_ip("127.0.0.1")};
  sockaddr_in ok = v4_sockaddr("127.0.0.1");
  sockaddr_in other = v4_sockaddr("127.0.0.2");
  sockaddr_in metadata = v4_sockaddr("169.254.169.254");
  EXPECT_TRUE(socket_address_allowed(reinterpret_cast<sockaddr*>(&ok), vetted, p));
  EXPECT_FALSE(socket_address_allowed(reinterpret_cast<sockaddr*>(&other), vetted, p));
  EXPECT_FALSE(socket_address_allowed(reinterpret_cast<sockaddr*>(&metadata), vetted, p));
  sockaddr_in6 mapped{};
  mapped.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
  EXPECT_TRUE(socket_address_allowed(reinterpret_cast<sockaddr*>(&mapped), vetted, p));
  // A vetted address that the policy no longer allows is refused too.
  EXPECT_FALSE(socket_address_allowed(reinterpret_cast<sockaddr*>(&ok), vetted, AddressPolicy{}));
}

}  // namespace
}  // namespace sluice::stages
