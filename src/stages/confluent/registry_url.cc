#include "stages/confluent/registry_url.h"

#include "pipeline/processor_options.h"

namespace sluice::stages {

std::string registry_url(const pipeline::ProcessorContext& c) {
  const std::string where = "stage '" + c.stage + "' (processor " + c.processor + "): ";
  const YAML::Node n = c.options["registry"];
  if (n && (!n.IsScalar() || n.Scalar().empty()))
    throw pipeline::OptionError("registry", where + "option 'registry' must be a non-empty text");
  const std::string url = n ? n.Scalar() : c.schema_registry;
  if (url.empty())
    throw pipeline::OptionError("registry",
                                where +
                                    "no schema registry: set option 'registry' or the pipeline's "
                                    "`schema_registry:` (e.g. http://127.0.0.1:8081)");
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    throw pipeline::OptionError(
        "registry",
        where + "the schema registry must be an http:// or https:// URL, not '" + url + "'");
  return url;
}

}  // namespace sluice::stages
