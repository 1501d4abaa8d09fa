#include "cli/up/demo_certificates.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

#include "cli/up/replace_file.h"
#include "common/secret_file.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

constexpr long kValidSeconds = 10L * 365 * 24 * 3600;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

[[noreturn]] void fail(const std::string& step) {
  char reason[256] = "no reason given";
  if (unsigned long err = ERR_get_error()) ERR_error_string_n(err, reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error("sluice up --secure: " + step + " failed: " + reason);
}

void check(int ok, const std::string& step) {
  if (ok != 1) fail(step);
}

// P-256: small, fast to make, and accepted by every Kafka client in use.
Key new_key() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!key) fail("generating an EC P-256 key");
  return Key(key, EVP_PKEY_free);
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  if (!ext) fail(std::string("making the extension ") + OBJ_nid2sn(nid) + "=" + value);
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) fail(std::string("adding the extension ") + OBJ_nid2sn(nid));
}

// A v3 certificate for `key` named CN=`common_name`, signed by `issuer` (itself when null).
Cert new_certificate(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new(), X509_free);
  if (!cert) fail("allocating a certificate");
  X509* x = cert.get();
  check(X509_set_version(x, X509_VERSION_3), "setting the certificate version");
  // A random 127-bit serial: two CAs made by two demos never issue the same one.
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x)))
    fail("choosing a serial number");
  // An hour in the past, so a clock a little behind on the client side still accepts it.
  if (!X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(x), kValidSeconds))
    fail("setting the validity period");
  check(X509_set_pubkey(x, key), "setting the public key");
  X509_NAME* name = X509_get_subject_name(x);
  const auto* o = reinterpret_cast<const unsigned char*>("sluice up --secure");
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name);
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, o, -1, -1, 0), "naming the subject");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0), "naming the subject");
  check(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name),
        "naming the issuer");
  X509* signer = issuer ? issuer : x;
  add_extension(x, signer, NID_subject_key_identifier, "hash");
  if (issuer) {
    add_extension(x, signer, NID_authority_key_identifier, "keyid:always");
    add_extension(x, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(x, signer, NID_key_usage, "critical,digitalSignature");
    add_extension(x, signer, NID_ext_key_usage, "serverAuth");
    add_extension(x, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  } else {
    add_extension(x, signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  if (X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) <= 0)
    fail(std::string("signing the certificate for ") + common_name);
  return cert;
}

// PEM text from one of OpenSSL's PEM writers, through a memory BIO.
template <typename Write>
std::string pem(Write write, const std::string& what) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || write(bio.get()) != 1) fail("writing " + what + " as PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(size));
}

void write_key(const fs::path& path, EVP_PKEY* key) {
  write_secret_file(path.string(),
                    pem(
                        [key](BIO* b) {
                          return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr,
                                                          nullptr);
                        },
                        "a private key"),
                    "private key file");
}

void write_certificate(const fs::path& path, X509* cert) {
  replace_file(path.string(),
               pem([cert](BIO* b) { return PEM_write_bio_X509(b, cert); }, "a certificate"));
}

}  // namespace

DemoCertificates ensure_demo_certificates(const fs::path& dir) {
  DemoCertificates out{(dir / "ca.pem").string(), (dir / "broker.pem").string(),
                       (dir / "broker.key").string()};
  const fs::path ca_key_path = dir / "ca.key";
  if (fs::exists(out.ca_certificate) && fs::exists(ca_key_path) &&
      fs::exists(out.broker_certificate) && fs::exists(out.broker_key)) {
    return out;
  }
  Key ca_key = new_key();
  Cert ca = new_certificate(ca_key.get(), "sluice up demo CA", nullptr, nullptr);
  Key broker_key = new_key();
  Cert broker = new_certificate(broker_key.get(), "localhost", ca.get(), ca_key.get());
  // Keys first and the CA certificate last: an interrupted run leaves a set the
  // check above finds incomplete, and the next run makes all four again.
  write_key(ca_key_path, ca_key.get());
  write_key(out.broker_key, broker_key.get());
  write_certificate(out.broker_certificate, broker.get());
  write_certificate(out.ca_certificate, ca.get());
  out.created = true;
  return out;
}

}  // namespace sluice::cli
