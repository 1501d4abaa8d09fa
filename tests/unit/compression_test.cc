// Codecs as record batches use them: every codec round-trips, decodes what the
// Java and C clients send (xerial snappy, concatenated frames, frames without a
// content size), and turns malformed or explosive input into DecodeError.
#include "common/compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zstd.h>

#include <random>
#include <string>
#include <vector>

namespace sluice {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

Bytes random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = uint8_t(rng());
  return out;
}

Bytes text_like(size_t n) {
  static const std::string kWords =
      "the broker stores batches exactly as producers sent them and checks their crc ";
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = uint8_t(kWords[(i * 7 + i / 13) % kWords.size()]);
  return out;
}

Bytes repeat(const Bytes& piece, size_t times) {
  Bytes out;
  out.reserve(piece.size() * times);
  for (size_t i = 0; i < times; ++i) out.insert(out.end(), piece.begin(), piece.end());
  return out;
}

// Java clients' snappy stream: magic, version 1, compatible version 1, then
// [int32 BE length][raw snappy block] per block.
Bytes xerial_frame(const std::vector<Bytes>& chunks) {
  ByteWriter w;
  w.raw(std::string_view("\x82SNAPPY\0", 8));
  w.i32(1);
  w.i32(1);
  for (const Bytes& chunk : chunks) {
    std::string block(snappy::MaxCompressedLength(chunk.size()), '\0');
    size_t n = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(chunk.data()), chunk.size(), block.data(),
                        &n);
    w.i32(int32_t(n));
    w.raw(block.data(), n);
  }
  return w.buffer();
}

// Decompresses, accepting success or DecodeError and nothing else.
void decompress_must_not_crash(Codec codec, const Bytes& in) {
  try {
    decompress(codec, in);
  } catch (const DecodeError&) {
  }
}

std::string message_of_decode_error(Codec codec, const Bytes& in) {
  try {
    decompress(codec, in);
  } catch (const DecodeError& e) {
    return e.what();
  }
  ADD_FAILURE() << codec_name(codec) << " accepted the input";
  return "";
}

std::string codec_param_name(const testing::TestParamInfo<Codec>& param) {
  return codec_name(param.param);
}

class EveryCodec : public testing::TestWithParam<Codec> {
 protected:
  Codec codec() const { return GetParam(); }
  Bytes round_trip(const Bytes& in) const { return decompress(codec(), compress(codec(), in)); }
};

TEST_P(EveryCodec, EmptyInputRoundTrips) {
  EXPECT_EQ(round_trip({}), Bytes{});
}

TEST_P(EveryCodec, SmallInputRoundTrips) {
  Bytes in = {'k', 'a', 'f', 'k', 'a'};
  EXPECT_EQ(round_trip(in), in);
}

TEST_P(EveryCodec, OneMebibyteOfRandomBytesRoundTrips) {
  Bytes in = random_bytes(kMiB, 1);
  EXPECT_EQ(round_trip(in), in);
}

TEST_P(EveryCodec, HighlyCompressibleInputShrinksAndRoundTrips) {
  Bytes in = text_like(kMiB);
  Bytes packed = compress(codec(), in);
  EXPECT_LT(packed.size(), in.size() / 10);
  EXPECT_EQ(decompress(codec(), packed), in);
}

TEST_P(EveryCodec, GarbageInputThrowsDecodeError) {
  for (const Bytes& garbage : {Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l'},
                               Bytes(100, 0xff), random_bytes(1000, 2), random_bytes(70000, 3)}) {
    EXPECT_THROW(decompress(codec(), garbage), DecodeError) << garbage.size() << " bytes";
  }
}

TEST_P(EveryCodec, EmptyCompressedInputThrowsDecodeError) {
  EXPECT_THROW(decompress(codec(), {}), DecodeError);
}

TEST_P(EveryCodec, TruncatedInputThrowsDecodeError) {
  Bytes packed = compress(codec(), text_like(200'000));
  for (size_t keep : {size_t{1}, size_t{4}, packed.size() / 2, packed.size() - 1}) {
    Bytes cut(packed.begin(), packed.begin() + ptrdiff_t(keep));
    EXPECT_THROW(decompress(codec(), cut), DecodeError) << "kept " << keep << " bytes";
  }
}

TEST_P(EveryCodec, CorruptedInputNeverCrashes) {
  Bytes original = compress(codec(), text_like(100'000));
  std::mt19937 rng(4);
  for (int round = 0; round < 300; ++round) {
    Bytes damaged = original;
    for (int flips = 1 + int(rng() % 4); flips > 0; --flips) {
      damaged[rng() % damaged.size()] ^= uint8_t(1 + rng() % 255);
    }
    decompress_must_not_crash(codec(), damaged);
  }
}

TEST_P(EveryCodec, ErrorMessageNamesTheCodec) {
  std::string what = message_of_decode_error(codec(), random_bytes(64, 5));
  EXPECT_NE(what.find(codec_name(codec())), std::string::npos) << what;
}

INSTANTIATE_TEST_SUITE_P(Compression, EveryCodec,
                         testing::Values(Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd),
                         codec_param_name);

// Codecs whose format allows several frames (members) back to back.
class FramedCodec : public testing::TestWithParam<Codec> {};

TEST_P(FramedCodec, ConcatenatedFramesDecodeToTheConcatenatedData) {
  Bytes a = text_like(100'000), b = random_bytes(5000, 6);
  Bytes both = compress(GetParam(), a);
  Bytes second = compress(GetParam(), b);
  both.insert(both.end(), second.begin(), second.end());
  Bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  EXPECT_EQ(decompress(GetParam(), both), expected);
}

TEST_P(FramedCodec, TrailingGarbageAfterTheStreamThrowsDecodeError) {
  Bytes packed = compress(GetParam(), text_like(1000));
  packed.push_back(0x5a);
  EXPECT_THROW(decompress(GetParam(), packed), DecodeError);
}

TEST_P(FramedCodec, DecompressionBombOverTheLimitIsRefused) {
  // 257 frames of 1 MiB of zeros: a few hundred KiB that inflate past 256 MiB.
  Bytes bomb = repeat(compress(GetParam(), Bytes(kMiB, 0)), 257);
  std::string what = message_of_decode_error(GetParam(), bomb);
  EXPECT_NE(what.find("256 MiB"), std::string::npos) << what;
}

INSTANTIATE_TEST_SUITE_P(Compression, FramedCodec,
                         testing::Values(Codec::kGzip, Codec::kLz4, Codec::kZstd),
                         codec_param_name);

TEST(Compression, OutputOfExactlyTheLimitIsAccepted) {
  Bytes at_limit = repeat(compress(Codec::kZstd, Bytes(kMiB, 0)), 256);
  EXPECT_EQ(decompress(Codec::kZstd, at_limit).size(), 256 * kMiB);
}

TEST(Compression, CodecNamesMatchKafkaConfigValues) {
  EXPECT_STREQ(codec_name(Codec::kNone), "none");
  EXPECT_STREQ(codec_name(Codec::kGzip), "gzip");
  EXPECT_STREQ(codec_name(Codec::kSnappy), "snappy");
  EXPECT_STREQ(codec_name(Codec::kLz4), "lz4");
  EXPECT_STREQ(codec_name(Codec::kZstd), "zstd");
  EXPECT_STREQ(codec_name(Codec(5)), "unknown");
  EXPECT_STREQ(codec_name(Codec(7)), "unknown");
}

TEST(Compression, NoneCopiesBytesUnchanged) {
  Bytes in = random_bytes(100, 7);
  EXPECT_EQ(compress(Codec::kNone, in), in);
  EXPECT_EQ(decompress(Codec::kNone, in), in);
  EXPECT_EQ(decompress(Codec::kNone, {}), Bytes{});
}

TEST(Compression, UnknownCodecIdThrowsDecodeError) {
  EXPECT_THROW(decompress(Codec(5), Bytes{1, 2, 3}), DecodeError);
  EXPECT_THROW(decompress(Codec(7), Bytes{1, 2, 3}), DecodeError);
}

TEST(Compression, GzipOutputIsAGzipStream) {
  Bytes packed = compress(Codec::kGzip, text_like(100));
  ASSERT_GE(packed.size(), 18u);
  EXPECT_EQ(packed[0], 0x1f);
  EXPECT_EQ(packed[1], 0x8b);
}

TEST(Compression, SnappyOutputIsRawSnappy) {
  Bytes in = text_like(10'000);
  Bytes packed = compress(Codec::kSnappy, in);
  std::string out;
  ASSERT_TRUE(
      snappy::Uncompress(reinterpret_cast<const char*>(packed.data()), packed.size(), &out));
  EXPECT_EQ(Bytes(out.begin(), out.end()), in);
}

TEST(Compression, Lz4OutputUsesTheFrameSettingsJavaClientsAccept) {
  Bytes packed = compress(Codec::kLz4, text_like(300'000));
  ASSERT_GE(packed.size(), 7u);
  EXPECT_EQ(load_be32(packed.data()), 0x04224d18u) << "LZ4 frame magic (little-endian 0x184D2204)";
  uint8_t flg = packed[4], bd = packed[5];
  EXPECT_TRUE(flg & 0x20) << "Kafka's Java decoder rejects dependent (linked) blocks";
  EXPECT_EQ((bd >> 4) & 7, 4) << "64 KiB maximum block size";
}

TEST(Compression, ZstdOutputIsAZstdFrame) {
  Bytes packed = compress(Codec::kZstd, text_like(100));
  ASSERT_GE(packed.size(), 4u);
  EXPECT_EQ(load_be32(packed.data()), 0x28b52ffdu);
}

TEST(Compression, XerialFramedSnappyDecodesToTheConcatenatedBlocks) {
  std::vector<Bytes> chunks = {text_like(32 * 1024), random_bytes(1000, 8), text_like(7)};
  Bytes expected;
  for (const Bytes& c : chunks) expected.insert(expected.end(), c.begin(), c.end());
  EXPECT_EQ(decompress(Codec::kSnappy, xerial_frame(chunks)), expected);
}

TEST(Compression, XerialHeaderWithoutBlocksDecodesToNothing) {
  EXPECT_EQ(decompress(Codec::kSnappy, xerial_frame({})), Bytes{});
}

TEST(Compression, MalformedXerialFramingThrowsDecodeError) {
  Bytes framed = xerial_frame({text_like(5000)});
  Bytes magic_only(framed.begin(), framed.begin() + 8);
  EXPECT_THROW(decompress(Codec::kSnappy, magic_only), DecodeError) << "header cut short";

  Bytes torn_length(framed.begin(), framed.begin() + 18);
  EXPECT_THROW(decompress(Codec::kSnappy, torn_length), DecodeError) << "block length cut short";

  Bytes short_block(framed.begin(), framed.end() - 1);
  EXPECT_THROW(decompress(Codec::kSnappy, short_block), DecodeError) << "block cut short";

  Bytes huge_length = framed;
  store_be32(huge_length.data() + 16, 0xfffffff0u);
  EXPECT_THROW(decompress(Codec::kSnappy, huge_length), DecodeError) << "length past the end";

  Bytes bad_block = framed;
  for (size_t i = 20; i < bad_block.size(); ++i) bad_block[i] = 0xff;
  EXPECT_THROW(decompress(Codec::kSnappy, bad_block), DecodeError) << "garbage block";
}

TEST(Compression, XerialSnappyBombOverTheLimitIsRefused) {
  std::vector<Bytes> chunks(257, Bytes(kMiB, 0));
  std::string what = message_of_decode_error(Codec::kSnappy, xerial_frame(chunks));
  EXPECT_NE(what.find("256 MiB"), std::string::npos) << what;
}

TEST(Compression, RawSnappyClaimingMoreThanTheLimitIsRefusedBeforeAllocating) {
  ByteWriter w;
  w.uvarint(uint64_t{3} << 30);  // snappy's preamble: uncompressed length, 3 GiB
  w.raw(std::string_view("\x00z", 2));
  EXPECT_THROW(decompress(Codec::kSnappy, w.buffer()), DecodeError);
}

TEST(Compression, ZstdFrameWithoutContentSizeDecodes) {
  Bytes in = text_like(500'000);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);  // as a streaming producer writes
  Bytes packed(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress2(cctx, packed.data(), packed.size(), in.data(), in.size());
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  packed.resize(n);
  ASSERT_EQ(ZSTD_getFrameContentSize(packed.data(), packed.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  EXPECT_EQ(decompress(Codec::kZstd, packed), in);
}

TEST(Compression, Lz4FrameWithContentSizeChecksumsAndLinkedBlocksDecodes) {
  Bytes in = text_like(300'000);
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockMode = LZ4F_blockLinked;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
  prefs.frameInfo.contentSize = in.size();
  Bytes packed(LZ4F_compressFrameBound(in.size(), &prefs));
  size_t n = LZ4F_compressFrame(packed.data(), packed.size(), in.data(), in.size(), &prefs);
  ASSERT_FALSE(LZ4F_isError(n)) << LZ4F_getErrorName(n);
  packed.resize(n);
  EXPECT_EQ(decompress(Codec::kLz4, packed), in);

  packed[packed.size() / 2] ^= 0x01;  // the checksums catch what the block decoder would miss
  EXPECT_THROW(decompress(Codec::kLz4, packed), DecodeError);
}

}  // namespace
}  // namespace sluice
