// A device personality: one documented real-device behaviour, played by a
// bundled profile plus behaviour knobs (and, where the behaviour hangs on the
// device's identity, its manufacturer and model). Read from a small JSON file
// so that each behaviour, with the public report it comes from, is one file.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace wsdsim {

struct Personality {
    std::string name;         // file stem
    std::string behaviour;    // what the device does, one sentence
    std::string devices;      // which real devices were reported doing it
    std::string source;       // the public report (bug tracker, capture)
    std::string profile;      // the bundled profile (or profile file) it plays on
    std::string manufacturer; // empty: the simulator's own
    std::string model;        // empty: the profile's ScannerName
    std::map<std::string, std::string> knobs;  // knob name -> value, as on the command line
};

// Throws std::runtime_error naming the file and the problem. Knob names and
// values are checked against the knob board.
Personality loadPersonalityText(const std::string &json, const std::string &name);
// The personality file for NAME (a bundled one, or a path to a .json file),
// or empty when there is none.
std::string findPersonality(const std::string &fileOrName);
Personality loadPersonalityFile(const std::string &path);
// Every bundled personality, sorted by name (for --list-profiles).
std::vector<Personality> bundledPersonalities();

}  // namespace wsdsim
