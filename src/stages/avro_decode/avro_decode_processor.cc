#include "stages/avro_decode/avro_decode_processor.h"

#include <fstream>
#include <sstream>

#include "avro/binary_decoder.h"
#include "stages/confluent/confluent_frame.h"
#include "stages/confluent/registry_url.h"

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;
using pipeline::Outcome;

std::string option_text(const pipeline::ProcessorContext& c, const char* key) {
  const YAML::Node n = c.options[key];
  if (!n) return "";
  if (!n.IsScalar() || n.Scalar().empty())
    throw pipeline::OptionError(key, "stage '" + c.stage + "' (processor avro-decode): option '" +
                                         key + "' must be a non-empty text");
  return n.Scalar();
}

// `reader_schema`: an .avsc file, or {subject: S, version: N|latest} in the registry.
std::optional<avro::Schema> reader_schema(const pipeline::ProcessorContext& c,
                                          RegistrySchemas& registry) {
  const YAML::Node n = c.options["reader_schema"];
  if (!n) return std::nullopt;
  const std::string where = "stage '" + c.stage + "' (processor avro-decode): ";
  if (n.IsMap()) {
    const YAML::Node subject = n["subject"], version = n["version"];
    if (!subject || !subject.IsScalar() || !version || !version.IsScalar() || n.size() != 2)
      throw pipeline::OptionError("reader_schema",
                                  where +
                                      "option 'reader_schema' is a file name or exactly "
                                      "{subject: NAME, version: N or latest}");
    try {
      return registry.by_subject_version(subject.Scalar(), version.Scalar()).schema;
    } catch (const RegistryLookupError& e) {
      throw pipeline::OptionError("reader_schema", where + "the pinned reader schema: " + e.what());
    }
  }
  const std::string file = option_text(c, "reader_schema");
  const std::string path = pipeline::resolve_option_path(c, file);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in)
    throw pipeline::OptionError("reader_schema",
                                where + "cannot read the reader schema file " + path);
  try {
    return avro::Schema::parse(text.str());
  } catch (const avro::SchemaError& e) {
    throw pipeline::OptionError("reader_schema", where + path + ": " + e.what());
  }
}

// Option `name`, a whole number of at least `min` (`fallback` when absent);
// `what` says what it counts, for the error.
int64_t count_option(const pipeline::ProcessorContext& c, const char* name, int64_t min,
                     int64_t fallback, const std::string& what) {
  const YAML::Node n = c.options[name];
  if (!n) return fallback;
  long long v = 0;
  if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v) || v < min)
    throw pipeline::OptionError(name, "stage '" + c.stage + "' (processor avro-decode): option '" +
                                          name + "' must be " + what + ", not '" +
                                          (n.IsScalar() ? n.Scalar() : "a list or map") + "'");
  return v;
}

size_t cache_size(const pipeline::ProcessorContext& c) {
  return size_t(count_option(c, "schema_cache_size", 1, DecoderCache::kDefaultCapacity,
                             "a positive number of schema ids"));
}

int64_t unknown_recheck_ms(const pipeline::ProcessorContext& c) {
  return count_option(c, "unknown_id_recheck_ms", 0, DecoderCache::kDefaultUnknownRecheckMs,
                      "a number of milliseconds, 0 or more");
}

ops::Counter* fetch_counter(const pipeline::ProcessorContext& c) {
  if (!c.metrics) return nullptr;
  return &c.metrics->counter("sluice_avro_schema_fetches_total",
                             "Writer schemas avro-decode fetched from the registry (ids not in "
                             "its cache)",
                             {{"stage", c.stage}});
}

pipeline::ProcessorContext first_output(pipeline::ProcessorContext c) {
  if (c.outputs.size() > 1) c.outputs.resize(1);
  return c;
}

}  // namespace

AvroDecode::AvroDecode(const pipeline::ProcessorContext& context)
    : out_(std::make_unique<Passthrough>(first_output(context))),
      schemas_(registry_url(context)),
      reader_(reader_schema(context, schemas_)),
      decoders_(schemas_, reader_ ? &*reader_ : nullptr, cache_size(context),
                fetch_counter(context), unknown_recheck_ms(context)) {}

Outcome AvroDecode::process(const pipeline::Record& record) {
  auto frame = split_confluent_frame(record.value);
  if (auto* why = std::get_if<std::string>(&frame))
    return Outcome::failure(ErrorCategory::kValidation, "avro-decode: " + *why);
  const ConfluentFrame& f = std::get<ConfluentFrame>(frame);
  std::shared_ptr<const DecoderCache::Entry> id;
  try {
    id = decoders_.get(f.schema_id);
  } catch (const RegistryLookupError& e) {
    if (e.unknown)
      return Outcome::failure(ErrorCategory::kValidation, std::string("avro-decode: ") + e.what());
    return Outcome::failure(ErrorCategory::kTransient, std::string("avro-decode: ") + e.what(),
                            "schema-registry");
  }
  if (!id->unresolvable.empty())
    return Outcome::failure(ErrorCategory::kValidation,
                            "avro-decode: the pinned reader schema cannot read data written "
                            "with schema id " +
                                std::to_string(f.schema_id) + ": " + id->unresolvable);
  pipeline::Record decoded = record;
  try {
    decoded.value = id->decoder->decode(f.datum);
  } catch (const avro::DecodeError& e) {
    return Outcome::failure(
        ErrorCategory::kValidation,
        "avro-decode: schema id " + std::to_string(f.schema_id) + ": " + e.what());
  }
  return out_->process(decoded);
}

}  // namespace sluice::stages
