// libFuzzer target: Avro binary through BinaryDecoder, with writer→reader
// resolution, then the decoded JSON through the encoder and back.
//
// Input: one selector byte and the datum's bytes. The selector picks a
// (writer, reader) pair from kPairs — every kind, logical type, block form,
// recursion and resolution rule — or, when it is '{', the input is a schema's
// JSON, a NUL, and the datum (read with that schema on both sides).
// Expected outcome for bad input: DecodeError (or SchemaError for a bad schema
// in the second form). Any other exception escapes and libFuzzer reports it as
// a crash. For a datum that decodes with the reader's schema R, two properties
// must hold: its JSON encodes with R (the encoder reads what the decoder
// writes), and that encoding decodes with R to the same JSON.
// The decoders of kPairs are built once and reused for every input, as
// avro-decode keeps one per schema id: a decode must leave the plan as it was.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "avro/binary_decoder.h"
#include "avro/binary_encoder.h"
#include "avro/schema.h"

namespace {

constexpr const char* kTick =
    R"({"type":"record","name":"Tick","namespace":"asx","fields":[
  {"name":"symbol","type":"string"},{"name":"seq","type":"long"},{"name":"price","type":"double"},
  {"name":"volume","type":"int"},{"name":"ok","type":"boolean"},{"name":"px","type":"float"},
  {"name":"raw","type":"bytes"},{"name":"id","type":{"type":"string","logicalType":"uuid"}},
  {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"ms","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"day","type":{"type":"int","logicalType":"date"}},
  {"name":"cost","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":4}},
  {"name":"fx","type":{"type":"fixed","name":"Fx","size":4,"logicalType":"decimal","precision":8,"scale":2}},
  {"name":"side","type":{"type":"enum","name":"Side","symbols":["BUY","SELL"]}},
  {"name":"legs","type":{"type":"array","items":{"type":"record","name":"Leg","fields":[
    {"name":"q","type":["null","long","string"]}]}}},
  {"name":"tags","type":{"type":"map","values":["null","Side"]}},
  {"name":"nulls","type":{"type":"array","items":"null"}},
  {"name":"next","type":["null","Tick"]}]})";

// The same tick read by a newer reader: a field dropped, one added with a
// default, promotions, an enum with a default, a union widened.
constexpr const char* kTickReader =
    R"({"type":"record","name":"Tick","namespace":"asx","fields":[
  {"name":"symbol","type":"bytes"},{"name":"seq","type":"double"},{"name":"price","type":"double"},
  {"name":"volume","type":["null","long"]},{"name":"px","type":"double"},
  {"name":"raw","type":"string"},{"name":"venue","type":"string","default":"ASX"},
  {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"side","type":{"type":"enum","name":"Side","symbols":["SELL"],"default":"SELL"}},
  {"name":"legs","type":{"type":"array","items":{"type":"record","name":"Leg","fields":[
    {"name":"q","type":["null","double","string"]}]}}},
  {"name":"next","type":["null","Tick"]}]})";

struct Pair {
  const char* writer;
  const char* reader;
};
const Pair kPairs[] = {
    {kTick, kTick},
    {kTick, kTickReader},
    {R"("long")", R"("long")"},
    {R"(["null","int","string"])", R"(["string","long","null"])"},
    {R"({"type":"map","values":{"type":"array","items":"double"}})",
     R"({"type":"map","values":{"type":"array","items":"double"}})"},
    // A renamed record (reader alias) read into a reader union, a renamed field,
    // an enum reordered with a default, a nested record promoted, and a
    // reader-only record field whose default is a timestamp.
    {R"({"type":"record","name":"Old","fields":[{"name":"a","type":"int"},
  {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y","Z"]}},
  {"name":"r","type":{"type":"array","items":{"type":"record","name":"In","fields":[
    {"name":"x","type":"long"},{"name":"gone","type":["null","string"]}]}}}]})",
     R"(["null",{"type":"record","name":"New","aliases":["Old"],"fields":[
  {"name":"b","type":"long","aliases":["a"]},
  {"name":"e","type":{"type":"enum","name":"E","symbols":["Y","X"],"default":"Y"}},
  {"name":"r","type":{"type":"array","items":{"type":"record","name":"In","fields":[
    {"name":"x","type":"double"}]}}},
  {"name":"extra","type":{"type":"record","name":"Ex","fields":[
    {"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]},"default":{"t":1500}}]}])"},
};

// One pair's schemas and decoders, built once (the decoders refer to the schemas).
struct Prepared {
  explicit Prepared(const Pair& p)
      : writer(sluice::avro::Schema::parse(p.writer)),
        reader(sluice::avro::Schema::parse(p.reader)),
        decoder(writer, reader),
        round_trip(reader, reader) {}
  sluice::avro::Schema writer, reader;
  sluice::avro::BinaryDecoder decoder, round_trip;
};

constexpr size_t kPairCount = sizeof kPairs / sizeof kPairs[0];

const Prepared& prepared(size_t i) {
  static const std::vector<std::unique_ptr<Prepared>> all = [] {
    std::vector<std::unique_ptr<Prepared>> v;
    for (const Pair& p : kPairs) v.push_back(std::make_unique<Prepared>(p));
    return v;
  }();
  return *all[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::avro;
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Decodes with `decoder`, then checks the round trip through `reader`.
  auto check = [](const BinaryDecoder& decoder, const BinaryDecoder& round_trip,
                  const Schema& reader, std::string_view datum) {
    std::string json;
    try {
      json = decoder.decode(datum);
    } catch (const DecodeError&) {
      return;
    }
    const std::string again = encode_json(reader, json);  // EncodeError here is a bug
    if (round_trip.decode(again) != json) __builtin_trap();
  };
  if (in[0] != '{') {
    const Prepared& p = prepared(uint8_t(in[0]) % kPairCount);
    check(p.decoder, p.round_trip, p.reader, in.substr(1));
    return 0;
  }
  const size_t nul = in.find('\0');
  if (nul == std::string_view::npos) return 0;
  try {
    const Schema schema = Schema::parse(std::string(in.substr(0, nul)));
    const BinaryDecoder decoder(schema, schema);
    check(decoder, decoder, schema, in.substr(nul + 1));
  } catch (const SchemaError&) {
  }
  return 0;
}
