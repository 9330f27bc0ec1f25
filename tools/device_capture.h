// wsd-discover --capture: saves what a device says about itself, masked,
// for a bug report (wsd-discover(1)).
#pragma once

#include "wsd/config.h"

#include <string>

// Exit status: 0 saved, 1 the device did not answer, 2 bad DIR or TARGET.
int captureDevice(const wsd::Config &config, const std::string &target, const std::string &dir);
