#include "stages/json_schema/schema_option.h"

namespace sluice::stages::json_schema {

SchemaOption load_schema_option(const pipeline::ProcessorContext& c, const std::string& processor,
                                const std::string& example) {
  const std::string where = "stage '" + c.stage + "' (processor " + processor + "): ";
  const YAML::Node n = c.options["schema"];
  if (!n || !n.IsScalar() || n.Scalar().empty()) {
    throw pipeline::OptionError(
        "schema", where +
                      "option 'schema' is required: the path of the events' JSON Schema file, "
                      "e.g. " +
                      example + " (relative paths resolve against the pipeline file's directory)");
  }
  std::string path = pipeline::resolve_option_path(c, n.Scalar());
  try {
    return {path, Schema::load_file(path)};
  } catch (const SchemaError& e) {
    throw pipeline::OptionError("schema", where + "option 'schema': " + e.what());
  }
}

std::string joined(const std::vector<std::string>& violations) {
  std::string out;
  for (const auto& v : violations) out += (out.empty() ? "" : "; ") + v;
  return out;
}

}  // namespace sluice::stages::json_schema
