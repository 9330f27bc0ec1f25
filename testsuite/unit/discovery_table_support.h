// Messages, metadata and interfaces for the endpoint-table tests.
#pragma once

#include "wsd/discovery_table.h"
#include "wsd/namespaces.h"

#include <arpa/inet.h>

#include <string>
#include <vector>

#include <check.h>

namespace d = wsd::discovery;
namespace ns = wsd::ns;
using std::chrono::milliseconds;

namespace discovery_table_support {

inline const d::Clock::time_point T0 = d::Clock::time_point() + std::chrono::hours(1);
inline const d::Source Dev{"198.18.0.2", "lab0"};
inline const std::string Uuid = "urn:uuid:5ca00000-0000-4000-8000-00000000a001";
inline const std::string DevUrl = "http://198.18.0.2:5357/wsd";
inline const std::string ScanUrl = "http://198.18.0.2:5357/wsd/scan";

inline d::LocalNet net(const char *ifname, int family, const char *address, int prefix)
{
    d::LocalNet n;
    n.ifname = ifname;
    n.family = family;
    inet_pton(family, address, n.address.data());
    n.prefixLength = prefix;
    return n;
}

// This machine as the lab's host side sees it.
inline d::LocalLinks labLinks()
{
    return d::LocalLinks({net("lo", AF_INET, "127.0.0.1", 8), net("lo", AF_INET6, "::1", 128),
                          net("lab0", AF_INET, "198.18.0.1", 24), net("lab0", AF_INET6, "fd00:5ca::1", 64),
                          net("lab0", AF_INET6, "fe80::1", 64)});
}

inline d::Message announce(d::Kind kind, const std::string &uuid, std::vector<std::string> xaddrs, unsigned long instance = 1)
{
    d::Message m;
    m.kind = kind;
    m.messageId = "urn:uuid:m-" + uuid;
    m.appSequence.present = true;
    m.appSequence.instanceId = instance;
    d::Endpoint e;
    e.address = uuid;
    if (kind != d::Kind::Bye)
        e.types = {d::scanDeviceType()};
    e.xaddrs = std::move(xaddrs);
    e.metadataVersion = 1;
    m.endpoints.push_back(e);
    return m;
}

inline d::Message answer(d::Kind kind, const std::string &relatesTo, const std::string &uuid, std::vector<std::string> xaddrs)
{
    d::Message m = announce(kind, uuid, std::move(xaddrs));
    m.relatesTo = relatesTo;
    return m;
}

inline wsd::DeviceMetadata scanner(const std::string &serviceUrl, const std::string &name = "Scanner")
{
    wsd::DeviceMetadata md;
    md.friendlyName = name;
    wsd::DeviceMetadata::Hosted h;
    h.types = {{ns::Scan, "ScannerServiceType"}};
    h.addresses = {serviceUrl};
    md.hosted.push_back(h);
    return md;
}

// The single piece of work waiting, which must be of `kind`.
inline d::Work onlyWork(d::EndpointTable &table, d::Work::Kind kind)
{
    std::vector<d::Work> work = table.takeWork();
    ck_assert_uint_eq(work.size(), 1);
    ck_assert(work[0].kind == kind);
    return work[0];
}

// Hello, metadata Get, answer: the device is listed.
inline void list(d::EndpointTable &table, const std::string &uuid, const std::string &xaddr, const d::Source &from,
                 const std::string &serviceUrl)
{
    table.onMessage(announce(d::Kind::Hello, uuid, {xaddr}), from, "", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(uuid, get.url, scanner(serviceUrl), T0);
}

}  // namespace discovery_table_support
