#include "personality.h"

#include "knobs.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

namespace wsdsim {

namespace {

constexpr std::size_t MaxPersonalitySize = 64 * 1024;
const char *const PersonalityDirs[] = {WSDSIM_PERSONALITY_DIR, WSD_SOURCE_DIR "/testsuite/sim/personalities"};

bool isFile(const std::string &path)
{
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string stemOf(const std::string &path)
{
    std::string stem = path.substr(path.find_last_of('/') + 1);
    if (auto dot = stem.rfind('.'); dot != std::string::npos)
        stem.resize(dot);
    return stem;
}

std::string requiredText(const nlohmann::json &doc, const char *key)
{
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_string() || it->get<std::string>().empty())
        throw std::runtime_error(std::string("\"") + key + "\" must be a non-empty string");
    return it->get<std::string>();
}

std::string optionalText(const nlohmann::json &doc, const char *key)
{
    auto it = doc.find(key);
    if (it == doc.end())
        return {};
    if (!it->is_string())
        throw std::runtime_error(std::string("\"") + key + "\" must be a string");
    return it->get<std::string>();
}

// Knob values as the command line spells them: JSON booleans and numbers too.
std::string knobValue(const nlohmann::json &v)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_boolean())
        return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer())
        return std::to_string(v.get<long long>());
    throw std::runtime_error("knob values are strings, booleans or integers");
}

}  // namespace

Personality loadPersonalityText(const std::string &json, const std::string &name)
{
    try {
        nlohmann::json doc = nlohmann::json::parse(json);
        if (!doc.is_object())
            throw std::runtime_error("not a JSON object");
        Personality p;
        p.name = name;
        p.behaviour = requiredText(doc, "behaviour");
        p.devices = requiredText(doc, "devices");
        p.source = requiredText(doc, "source");
        p.profile = requiredText(doc, "profile");
        p.manufacturer = optionalText(doc, "manufacturer");
        p.model = optionalText(doc, "model");
        if (auto it = doc.find("knobs"); it != doc.end()) {
            if (!it->is_object())
                throw std::runtime_error("\"knobs\" must be an object");
            KnobBoard check;
            for (const auto &[knob, value] : it->items()) {
                std::string text = knobValue(value);
                std::string error;
                if (!check.set(knob, text, &error))
                    throw std::runtime_error(error);
                p.knobs[knob] = text;
            }
        }
        return p;
    } catch (const nlohmann::json::exception &e) {
        throw std::runtime_error("personality " + name + ": " + e.what());
    } catch (const std::runtime_error &e) {
        throw std::runtime_error("personality " + name + ": " + e.what());
    }
}

std::string findPersonality(const std::string &fileOrName)
{
    if (fileOrName.size() > 5 && fileOrName.compare(fileOrName.size() - 5, 5, ".json") == 0 && isFile(fileOrName))
        return fileOrName;
    if (fileOrName.find('/') != std::string::npos)
        return {};
    for (const char *dir : PersonalityDirs) {
        std::string candidate = std::string(dir) + "/" + fileOrName + ".json";
        if (isFile(candidate))
            return candidate;
    }
    return {};
}

Personality loadPersonalityFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read personality " + path);
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > MaxPersonalitySize)
        throw std::runtime_error("personality " + path + " is too large");
    return loadPersonalityText(text.str(), stemOf(path));
}

std::vector<Personality> bundledPersonalities()
{
    std::vector<Personality> out;
    for (const char *dir : PersonalityDirs) {
        DIR *d = opendir(dir);
        if (!d)
            continue;
        std::unique_ptr<DIR, int (*)(DIR *)> closer(d, closedir);
        while (dirent *e = readdir(d)) {
            std::string file = e->d_name;
            if (file.size() <= 5 || file.compare(file.size() - 5, 5, ".json") != 0)
                continue;
            std::string name = stemOf(file);
            if (std::none_of(out.begin(), out.end(), [&](const Personality &p) { return p.name == name; }))
                out.push_back(loadPersonalityFile(std::string(dir) + "/" + file));
        }
    }
    std::sort(out.begin(), out.end(), [](const Personality &a, const Personality &b) { return a.name < b.name; });
    return out;
}

}  // namespace wsdsim
