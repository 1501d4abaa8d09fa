// The IoT demo's devices (seed 004, ../docs/demo-source.md#iot-events): eight
// device types with the value range and unit each reports, and a fleet of N
// devices numbered 0..N-1 whose type and location follow from the number.
//
// Invariant: device(i) is a pure function of i, so every part of sluice that
// needs a device (the source, its tests, the example's validation rules) sees
// the same fleet without sharing state.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::cli::demo {

struct DeviceType {
  std::string_view name;
  std::string_view unit;
  double min = 0, max = 0;  // the values a healthy device of this type reports
  bool boolean = false;     // reports 0 or 1 only
};

// temperature_sensor, humidity_sensor, pressure_sensor, motion_detector,
// light_sensor, smart_thermostat, door_sensor, window_sensor (in that order).
const std::array<DeviceType, 8>& device_types();

struct Device {
  std::string id;  // "device-000042"
  const DeviceType* type;
  std::string location;  // "building-3/floor-2"
};

// Device i of the fleet: type i % 8, so any 8 consecutive devices cover every type.
Device device(int64_t index);

// Smallest and largest fleet the demo offers (--devices).
inline constexpr int64_t kMinDevices = 24;
inline constexpr int64_t kMaxDevices = 1000000;

}  // namespace sluice::cli::demo
