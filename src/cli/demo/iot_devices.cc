#include "cli/demo/iot_devices.h"

#include <cstdio>

namespace sluice::cli::demo {

const std::array<DeviceType, 8>& device_types() {
  static const std::array<DeviceType, 8> types = {{
      {"temperature_sensor", "celsius", 15, 35, false},
      {"humidity_sensor", "percent", 30, 90, false},
      {"pressure_sensor", "hPa", 980, 1050, false},
      {"motion_detector", "boolean", 0, 1, true},
      {"light_sensor", "lux", 0, 100000, false},
      {"smart_thermostat", "celsius", 16, 28, false},
      {"door_sensor", "boolean", 0, 1, true},
      {"window_sensor", "boolean", 0, 1, true},
  }};
  return types;
}

Device device(int64_t index) {
  char id[32];
  std::snprintf(id, sizeof id, "device-%06lld", static_cast<long long>(index));
  // Eight devices (one of each type) share a floor; ten floors make a building.
  const int64_t floor = index / 8;
  char location[48];
  std::snprintf(location, sizeof location, "building-%lld/floor-%lld",
                static_cast<long long>(floor / 10 + 1), static_cast<long long>(floor % 10 + 1));
  return {id, &device_types()[size_t(index % 8)], location};
}

}  // namespace sluice::cli::demo
