#include "stages/avro_encode/avro_encode_processor.h"

#include <fstream>
#include <sstream>

#include "avro/binary_encoder.h"
#include "stages/confluent/confluent_frame.h"
#include "stages/confluent/registry_url.h"

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;
using pipeline::Outcome;

std::string where(const pipeline::ProcessorContext& c) {
  return "stage '" + c.stage + "' (processor avro-encode): ";
}

std::string required_text(const pipeline::ProcessorContext& c, const char* key,
                          const std::string& example) {
  const YAML::Node n = c.options[key];
  if (!n || !n.IsScalar() || n.Scalar().empty())
    throw pipeline::OptionError(key, where(c) + "option '" + key + "' is required: " + example);
  return n.Scalar();
}

// The schema to write with and its id: `schema: FILE` registered under the
// subject (idempotent), or `schema: latest`, the subject's latest version.
RegisteredSchema writer_schema(const pipeline::ProcessorContext& c) {
  const std::string url = registry_url(c);
  const std::string subject = required_text(
      c, "subject", "the registry subject to write with, e.g. market.ticks.asx-value");
  const std::string schema = required_text(
      c, "schema",
      "an .avsc file to register under the subject, or 'latest' for its latest version");
  RegistrySchemas registry(url);
  if (schema == "latest") {
    try {
      return registry.by_subject_version(subject, "latest");
    } catch (const RegistryLookupError& e) {
      throw pipeline::OptionError(
          "schema", where(c) + "the latest schema of subject " + subject + ": " + e.what());
    }
  }
  const std::string path = pipeline::resolve_option_path(c, schema);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in)
    throw pipeline::OptionError("schema",
                                where(c) + "cannot read the schema file " + path +
                                    " (or write 'latest' for the subject's latest version)");
  try {
    return registry.register_schema(subject, text.str());
  } catch (const RegistryLookupError& e) {
    throw pipeline::OptionError(
        "schema", where(c) + "registering " + path + " under subject " + subject + ": " + e.what());
  }
}

pipeline::ProcessorContext first_output(pipeline::ProcessorContext c) {
  if (c.outputs.size() > 1) c.outputs.resize(1);
  return c;
}

}  // namespace

AvroEncode::AvroEncode(const pipeline::ProcessorContext& context)
    : out_(std::make_unique<Passthrough>(first_output(context))), schema_(writer_schema(context)) {}

Outcome AvroEncode::process(const pipeline::Record& record) {
  pipeline::Record encoded = record;
  try {
    encoded.value = confluent_frame(schema_.id, avro::encode_json(schema_.schema, record.value));
  } catch (const avro::EncodeError& e) {
    return Outcome::failure(ErrorCategory::kValidation,
                            "avro-encode: the record does not fit schema id " +
                                std::to_string(schema_.id) + ": " + e.what());
  }
  return out_->process(encoded);
}

}  // namespace sluice::stages
