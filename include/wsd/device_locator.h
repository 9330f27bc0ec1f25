// What a device named by URL or by host alone lacks before it can be opened:
// its endpoint address, which a device that checks wsa:To wants as the To of
// the metadata Get (DPWS 1.1), and, for a host, its XAddrs.
#pragma once

#include "wsd/device_record.h"
#include "wsd/http.h"

namespace wsd {

// Directed Probes over HTTP (wsd/directed_probe.h), each bounded by `options`:
// to record.host's stable probe URLs when record.deviceUrls is empty, else to
// the first device URL. Leaves the record as it was when nothing answers.
// True when the record has an endpoint address afterwards.
bool locateDevice(DeviceRecord &record, const http::Options &options);

// The wsa:To of a metadata Get sent to `url`: the endpoint address when known,
// else the URL itself (the last resort; the metadata then names the address).
std::string metadataTo(const DeviceRecord &record, const std::string &url);

}  // namespace wsd
