// The byte pipe under one connection: the event loop reads and writes through
// it and never calls recv/send itself, so a TLS transport (OpenSSL over memory
// BIOs, feeding the socket) can replace the plain one per listener without the
// loop changing. Every call is non-blocking and made from the I/O thread only.
// Two things a plain socket never does and TLS does (tls_transport.h): a read
// can need the socket to be writable first (a handshake answer), which
// wants_write() reports and the loop turns into EPOLLOUT interest; and bytes
// can be decrypted and waiting in the transport while the socket has nothing
// left, which has_buffered() reports because epoll cannot.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace sluice::broker {

struct IoResult {
  enum class Kind { kDone, kWouldBlock, kClosed, kError };
  Kind kind = Kind::kDone;
  size_t bytes = 0;  // moved, when kDone (never 0 then)
  int error = 0;     // errno, when kError
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Reads at most into.size() bytes.
  virtual IoResult read(std::span<uint8_t> into) = 0;
  // Writes a prefix of `parts`; a partial write is normal.
  virtual IoResult write(std::span<const iovec> parts) = 0;
  // The last read would block until the socket is writable.
  virtual bool wants_write() const { return false; }
  // read() would return bytes without the socket becoming readable.
  virtual bool has_buffered() const { return false; }
};

// The socket as it is (PLAINTEXT and, later, SASL_PLAINTEXT listeners). Does not
// own the descriptor: the connection closes it.
std::unique_ptr<Transport> plain_transport(int fd);

}  // namespace sluice::broker
