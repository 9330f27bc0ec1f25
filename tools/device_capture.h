// wsd-discover --capture: saves what a device says about itself, masked,
// for a bug report (wsd-discover(1)).
#pragma once

#include "wsd/config.h"
#include "wsd/device_record.h"

#include <string>

// Creates DIR 0700, or checks that it is an empty directory: a capture
// never mixes with or overwrites other files. False (said on stderr) if not.
bool prepareCaptureDirectory(const std::string &dir);

// Captures the located device (target: what the user named it by) into the
// prepared DIR. Exit status: 0 saved, 1 no answer or a file not written.
int captureDevice(const wsd::Config &config, const wsd::DeviceRecord &device, const std::string &target,
                  const std::string &dir);
