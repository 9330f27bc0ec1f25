#include "subscription_ledger.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace scand {

namespace {

// Our own file, a few subscriptions per scanner: anything larger is not.
constexpr std::size_t MaxLedgerSize = 1024 * 1024;

void makeFolders(const std::string &path)
{
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1))
        mkdir(path.substr(0, slash).c_str(), 0700);
}

}  // namespace

std::string ledgerPath()
{
    if (const char *state = std::getenv("XDG_STATE_HOME"); state && *state)
        return std::string(state) + "/sane-wsd/wsd-scand.subscriptions";
    if (const char *home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.local/state/sane-wsd/wsd-scand.subscriptions";
    return {};
}

std::vector<wsd::events::SubscriptionManager> readLedger(const std::string &path)
{
    std::vector<wsd::events::SubscriptionManager> managers;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return managers;
    std::string text(MaxLedgerSize + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > MaxLedgerSize)
        return managers;
    const nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
    if (!list.is_array())
        return managers;
    for (const nlohmann::json &entry : list) {
        if (!entry.is_object() || !entry.value("address", nlohmann::json()).is_string())
            continue;
        wsd::events::SubscriptionManager manager;
        manager.address = entry["address"].get<std::string>();
        if (entry.contains("identifier") && entry["identifier"].is_string())
            manager.identifier = entry["identifier"].get<std::string>();
        if (entry.contains("referenceParameters") && entry["referenceParameters"].is_array())
            for (const nlohmann::json &parameter : entry["referenceParameters"])
                if (parameter.is_string() &&
                    manager.referenceParameters.size() < wsd::events::MaxReferenceParameters)
                    manager.referenceParameters.push_back(parameter.get<std::string>());
        managers.push_back(std::move(manager));
    }
    return managers;
}

bool writeLedger(const std::string &path, const std::vector<wsd::events::SubscriptionManager> &managers)
{
    if (path.empty())
        return false;
    nlohmann::json list = nlohmann::json::array();
    for (const auto &manager : managers)
        list.push_back({{"address", manager.address},
                        {"identifier", manager.identifier},
                        {"referenceParameters", manager.referenceParameters}});
    makeFolders(path);
    const std::string temporary = path + ".part";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << list.dump(1) << "\n";
        if (!out.flush())
            return false;
    }
    return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace scand
