#include "knobs.h"

#include "wsd/xml.h"

#include <nlohmann/json.hpp>

#include <variant>

namespace wsdsim {

namespace {

using Field = std::variant<long Knobs::*, bool Knobs::*, std::string Knobs::*>;

struct KnobField {
    const char *name;
    Field field;
    long min = 0;
};

// The one table that names the knobs (command line, control endpoint, JSON).
const std::vector<KnobField> &table()
{
    static const std::vector<KnobField> t = {
        {"pace", &Knobs::paceBytesPerSecond},
        {"delay-ms", &Knobs::delayMs},
        {"create-delay-ms", &Knobs::createDelayMs},
        {"create-answer-delay-ms", &Knobs::createAnswerDelayMs},
        {"create-reset", &Knobs::createReset},
        {"create-garbage", &Knobs::createGarbage},
        {"redirect-soap", &Knobs::redirectSoap},
        {"redirect-image", &Knobs::redirectImage},
        {"busy", &Knobs::busy},
        {"jam-after", &Knobs::jamAfterImages},
        {"cover-open", &Knobs::coverOpen},
        {"empty-adf", &Knobs::emptyAdf},
        {"adf-pages", &Knobs::adfPages},
        {"reset-after", &Knobs::resetAfterBytes, -1},
        {"stall-after", &Knobs::stallAfterBytes, -1},
        {"truncate-image", &Knobs::truncateImageBytes, -1},
        {"content-length-excess", &Knobs::contentLengthExcess},
        {"malformed-xml", &Knobs::malformedXml},
        {"internal-error", &Knobs::internalError},
        {"fault-http-200", &Knobs::faultsWithHttp200},
        {"no-leading-crlf", &Knobs::noLeadingCrlf},
        {"job-timeout", &Knobs::jobTimeoutSeconds, 1},
        {"terminating-ms", &Knobs::terminatingMs},
        {"terminating-refuses-jobs", &Knobs::terminatingRefusesJobs},
        {"texture", &Knobs::texture},
        {"any-to", &Knobs::anyTo},
        {"ignore-region", &Knobs::ignoreRegion},
        {"final-resolution", &Knobs::finalResolution},
        {"one-page-jobs", &Knobs::onePageJobs},
        {"transpose-max-size", &Knobs::transposeMaxSize},
        {"one-line-only", &Knobs::oneLineOnly},
        {"refuse-zone-to", &Knobs::refuseZoneTo},
        {"printer-match-first", &Knobs::printerMatchFirst},
        {"xaddrs-host", &Knobs::xaddrsHost},
        {"panel-only-jobs", &Knobs::panelOnlyJobs},
        {"max-expiry-s", &Knobs::maxExpirySeconds, 1},
        {"refuse-renew", &Knobs::refuseRenew},
        {"event-delay-ms", &Knobs::eventDelayMs},
        {"drop-events", &Knobs::dropEvents},
        {"drop-status-events", &Knobs::dropStatusEvents},
        {"warm-up-ms", &Knobs::warmUpMs},
        {"empty-adf-refuses", &Knobs::emptyAdfRefuses},
        {"refuse-setting", &Knobs::refuseSetting},
        {"validate-wrong", &Knobs::validateWrong},
        {"require-job-information", &Knobs::requireJobInformation},
        {"stopped-reason", &Knobs::stoppedReason},
        {"clip-region-by", &Knobs::clipRegionBy},
    };
    return t;
}

bool apply(Knobs &k, const std::string &name, const std::string &value, std::string *error)
{
    // empty-adf-at takes a word, not a number or boolean.
    if (name == "empty-adf-at") {
        if (value != "create" && value != "retrieve") {
            if (error)
                *error = "empty-adf-at must be create or retrieve";
            return false;
        }
        k.emptyAdfAtRetrieve = value == "retrieve";
        return true;
    }
    // image-file takes a path; empty turns it off. Absolute, so that a bare
    // --image-file is not mistaken for a boolean.
    if (name == "image-file") {
        if (!value.empty() && value[0] != '/') {
            if (error)
                *error = "image-file needs an absolute path, not '" + value + "'";
            return false;
        }
        k.imageFile = value;
        return true;
    }
    if (name == "refuse-setting" && !value.empty() && value != "brightness" && value != "contrast" &&
        value != "resolution") {
        if (error)
            *error = "refuse-setting must be brightness, contrast, resolution or empty";
        return false;
    }
    for (const KnobField &f : table()) {
        if (name != f.name)
            continue;
        if (auto *b = std::get_if<bool Knobs::*>(&f.field)) {
            auto v = wsd::xml::parseBool(value);
            if (!v) {
                if (error)
                    *error = name + " needs true/false/1/0, not '" + value + "'";
                return false;
            }
            k.**b = *v;
        } else if (auto *text = std::get_if<std::string Knobs::*>(&f.field)) {
            k.**text = value;
        } else {
            auto v = wsd::xml::parseInt(value, f.min, 2147483647L);
            if (!v) {
                if (error)
                    *error = name + " needs an integer >= " + std::to_string(f.min) + ", not '" + value + "'";
                return false;
            }
            k.*std::get<long Knobs::*>(f.field) = *v;
        }
        return true;
    }
    if (error)
        *error = "unknown knob '" + name + "'";
    return false;
}

}  // namespace

Knobs KnobBoard::get() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return knobs_;
}

bool KnobBoard::set(const std::string &name, const std::string &value, std::string *error)
{
    std::lock_guard<std::mutex> lock(mutex_);
    return apply(knobs_, name, value, error);
}

bool KnobBoard::setAll(const std::map<std::string, std::string> &values, std::string *error)
{
    std::lock_guard<std::mutex> lock(mutex_);
    Knobs changed = knobs_;
    for (const auto &[name, value] : values)
        if (!apply(changed, name, value, error))
            return false;
    knobs_ = changed;
    return true;
}

const std::vector<std::string> &KnobBoard::names()
{
    static const std::vector<std::string> n = [] {
        std::vector<std::string> v;
        for (const KnobField &f : table())
            v.push_back(f.name);
        v.push_back("empty-adf-at");
        v.push_back("image-file");
        return v;
    }();
    return n;
}

nlohmann::ordered_json KnobBoard::toJson() const
{
    Knobs k = get();
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const KnobField &f : table()) {
        if (auto *b = std::get_if<bool Knobs::*>(&f.field))
            out[f.name] = k.**b;
        else if (auto *text = std::get_if<std::string Knobs::*>(&f.field))
            out[f.name] = k.**text;
        else
            out[f.name] = k.*std::get<long Knobs::*>(f.field);
    }
    out["empty-adf-at"] = k.emptyAdfAtRetrieve ? "retrieve" : "create";
    out["image-file"] = k.imageFile;
    return out;
}

}  // namespace wsdsim
