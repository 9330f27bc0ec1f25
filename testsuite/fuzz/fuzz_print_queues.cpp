// The device URIs of CUPS's queues (libcups's URI parser, then our reading
// of a DNS-SD service name): any bytes; a host found is a bounded host name
// or address without brackets, a service has a name and a _x._tcp/_udp type.
#include "fuzz_support.h"
#include "wsd/print_queues.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const wsd::discovery::CupsLibrary cups;  // opened once, as discovery keeps it while it asks CUPS
    FUZZ_ASSERT(cups.loaded());
    const std::string uri(fuzz::asText(data, size));
    if (const auto host = wsd::discovery::printerHostOf(cups, uri)) {
        FUZZ_ASSERT(!host->empty() && host->size() <= 253);
        FUZZ_ASSERT(host->front() != '[');
    }
    if (const auto service = wsd::discovery::dnsSdServiceOf(cups, uri)) {
        FUZZ_ASSERT(!service->name.empty() && !service->domain.empty());
        FUZZ_ASSERT(service->type.size() > 5 && service->type.front() == '_');
        const std::string protocol = service->type.substr(service->type.size() - 5);
        FUZZ_ASSERT(protocol == "._tcp" || protocol == "._udp");
    }
    return 0;
}
