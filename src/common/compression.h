// Block compression codecs as Kafka uses them in record batches.
//
// The broker stores batches exactly as producers sent them; it decompresses
// only to look inside a batch (timestamp lookup, legacy conversion), never to
// rewrite one. Every function throws DecodeError on malformed input.
#pragma once

#include <cstdint>

#include "common/bytes.h"

namespace sluice {

// Values of the low three bits of a record batch's attributes.
enum class Codec : uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

const char* codec_name(Codec codec);

// Decompresses a whole compressed block. Snappy accepts both raw snappy and the
// xerial framing Java clients send; LZ4 expects the LZ4 frame format.
Bytes decompress(Codec codec, ByteSpan in);

// Compresses a block the way Kafka clients do (gzip stream, raw snappy, LZ4 frame, zstd frame).
Bytes compress(Codec codec, ByteSpan in);

}  // namespace sluice
