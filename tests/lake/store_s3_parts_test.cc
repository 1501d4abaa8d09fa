// The S3 store's pure parts, without a server: SigV4 against AWS's published
// examples, XML parsing of S3 responses, and store URL parsing.
#include <gtest/gtest.h>

#include "lake/store/s3_store.h"
#include "lake/store/s3_xml.h"
#include "lake/store/sigv4.h"
#include "lake/store/store_url.h"

namespace sluice::lake {
namespace {

const sigv4::Scope kExampleScope{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                 "us-east-1", "20130524T000000Z"};
const char* kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(StoreSigV4, Sha256) {
  EXPECT_EQ(sigv4::sha256_hex(""), kEmptyHash);
  EXPECT_EQ(sigv4::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// "GET Object" from AWS's "Signature Calculations for the Authorization Header" page.
TEST(StoreSigV4, AwsGetObjectExample) {
  sigv4::Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmptyHash},
               {"x-amz-date", "20130524T000000Z"}};
  r.payload_hash = kEmptyHash;
  EXPECT_EQ(sigv4::authorization(r, kExampleScope),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// "GET Bucket (List Objects)" from the same page: query parameters sorted and encoded.
TEST(StoreSigV4, AwsListObjectsExample) {
  sigv4::Request r;
  r.method = "GET";
  r.canonical_uri = "/";
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", kEmptyHash},
               {"x-amz-date", "20130524T000000Z"}};
  r.payload_hash = kEmptyHash;
  EXPECT_EQ(sigv4::canonical_query(r), "max-keys=2&prefix=J");
  EXPECT_NE(sigv4::authorization(r, kExampleScope)
                .find("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos);
}

TEST(StoreSigV4, UriEncoding) {
  EXPECT_EQ(sigv4::uri_encode("a b/c~d_e-f.g", true), "a%20b/c~d_e-f.g");
  EXPECT_EQ(sigv4::uri_encode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(sigv4::uri_encode("é+=&", false), "%C3%A9%2B%3D%26");
  sigv4::Request r;
  r.query = {{"uploads", ""}, {"continuation-token", "1/x=="}};
  EXPECT_EQ(sigv4::canonical_query(r), "continuation-token=1%2Fx%3D%3D&uploads=");
  EXPECT_EQ(sigv4::amz_date(1369353600), "20130524T000000Z");
}

TEST(StoreS3Xml, ListObjectsV2Response) {
  const std::string xml =
      "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
      "<Contents><Key>a&amp;b&lt;&#x43;&#233;</Key><LastModified>2024-01-31T12:00:00.123Z"
      "</LastModified><Size>42</Size></Contents><Contents><Key>z</Key><Size>0</Size></Contents>"
      "<NextContinuationToken>tok/en==</NextContinuationToken></ListBucketResult>";
  auto items = s3xml::elements(xml, "Contents");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(s3xml::text(items[0], "Key"), "a&b<C\xC3\xA9");
  EXPECT_EQ(s3xml::text(items[0], "Size"), "42");
  EXPECT_EQ(s3xml::iso8601_ms(*s3xml::text(items[0], "LastModified")), 1706702400123);
  EXPECT_EQ(s3xml::text(xml, "IsTruncated"), "true");
  EXPECT_EQ(s3xml::text(xml, "NextContinuationToken"), "tok/en==");
  EXPECT_FALSE(s3xml::text(xml, "Missing"));
  EXPECT_EQ(s3xml::escape("\"e<t>&'"), "&quot;e&lt;t&gt;&amp;&apos;");
}

TEST(StoreS3Xml, ConditionalConflictCodes) {
  HttpResponse r;
  r.status = 412;
  EXPECT_TRUE(already_exists(r));
  r.status = 409;
  r.body = "<Error><Code>ConditionalRequestConflict</Code></Error>";
  EXPECT_TRUE(already_exists(r));
  r.body = "<Error><Code>OperationAborted</Code></Error>";
  EXPECT_FALSE(already_exists(r));
}

TEST(StoreUrl, S3OptionsAndEnvironment) {
  const std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "envkey"},
                                                  {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                                  {"AWS_REGION", "eu-west-1"}};
  S3Config c = s3_config_from_url("s3://lake/prod/x/", env);
  EXPECT_EQ(c.bucket, "lake");
  EXPECT_EQ(c.prefix, "prod/x");
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(c.access_key, "envkey");
  EXPECT_TRUE(c.conditional_put);

  c = s3_config_from_url(
      "s3://b?endpoint=http://127.0.0.1:9000&region=r&conditional_put=false&access_key=k&"
      "secret_key=s%2Fx&part_size=5242880&multipart_threshold=100&max_keys=7",
      env);
  EXPECT_EQ(c.prefix, "");
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c.region, "r");
  EXPECT_FALSE(c.conditional_put);
  EXPECT_EQ(c.access_key, "k");
  EXPECT_EQ(c.secret_key, "s/x");
  EXPECT_EQ(c.part_size, 5242880);
  EXPECT_EQ(c.multipart_threshold, 100);
  EXPECT_EQ(c.max_keys, 7);

  EXPECT_THROW(s3_config_from_url("s3://", env), StoreError);
  EXPECT_THROW(s3_config_from_url("s3://b/../x", env), StoreError);
  EXPECT_THROW(s3_config_from_url("s3://b?conditional_put=maybe", env), StoreError);
  EXPECT_THROW(s3_config_from_url("s3://b?endpiont=x", env), StoreError);  // typo caught
  EXPECT_THROW(s3_config_from_url("s3://b?part_size=-1", env), StoreError);
}

TEST(StoreUrl, S3StoreRefusesUnusableConfig) {
  S3Config c;
  c.bucket = "b";
  c.endpoint = "http://127.0.0.1:1";
  EXPECT_THROW(S3Store{c}, StoreError);  // no credentials
  c.access_key = c.secret_key = "x";
  EXPECT_NO_THROW(S3Store{c});
  c.part_size = 1 << 20;
  EXPECT_THROW(S3Store{c}, StoreError);  // below S3's 5 MiB minimum
  c.part_size = 5 << 20;
  c.endpoint = "127.0.0.1:9000";
  EXPECT_THROW(S3Store{c}, StoreError);  // no scheme
}

TEST(StoreS3, UnreachableEndpointNamesTheEndpoint) {
  S3Config c;
  c.bucket = "b";
  c.prefix = "p";
  c.endpoint = "http://127.0.0.1:1";
  c.access_key = c.secret_key = "x";
  c.max_attempts = 2;
  S3Store store(c);
  EXPECT_EQ(store.url(), "s3://b/p");
  try {
    store.get("k");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("GET 'k' in s3://b/p"), std::string::npos) << what;
    EXPECT_NE(what.find("http://127.0.0.1:1/b/p/k"), std::string::npos) << what;
    EXPECT_NE(what.find("check the endpoint"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace sluice::lake
