// Reading test inputs: the real device captures in testsuite/data/devices
// and other files of the source tree.
#pragma once

#include <string>

// The whole file; the test fails when it cannot be read.
std::string readTestFile(const std::string &path);
// A capture below testsuite/data/devices, e.g. "ricoh-mp-c3003/x.xml".
std::string readDeviceCapture(const std::string &relative);
