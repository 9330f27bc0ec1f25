// Namespace URIs and well-known URIs of WS-Scan and the DPWS layers under it
// (WS-Scan, DPWS 1.1, WS-Discovery 2005/04, WS-Addressing 2004/08). Elements are always matched by these
// URIs, never by the prefix a device happens to use.
#pragma once

namespace wsd::ns {

constexpr const char *Soap = "http://www.w3.org/2003/05/soap-envelope";
constexpr const char *Addressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
constexpr const char *AddressingW3C = "http://www.w3.org/2005/08/addressing";
constexpr const char *Discovery = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
constexpr const char *Discovery2009 = "http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01";
constexpr const char *Dpws = "http://schemas.xmlsoap.org/ws/2006/02/devprof";
constexpr const char *Dpws2009 = "http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01";
constexpr const char *Mex = "http://schemas.xmlsoap.org/ws/2004/09/mex";
constexpr const char *Transfer = "http://schemas.xmlsoap.org/ws/2004/09/transfer";
constexpr const char *Eventing = "http://schemas.xmlsoap.org/ws/2004/08/eventing";
constexpr const char *Scan = "http://schemas.microsoft.com/windows/2006/08/wdp/scan";
// Pre-release scan namespace used by Microsoft's examples; accepted on receipt.
constexpr const char *ScanPrerelease = "http://schemas.microsoft.com/windows/2006/01/wdp/scan";
constexpr const char *Print = "http://schemas.microsoft.com/windows/2006/08/wdp/print";
constexpr const char *Pnpx = "http://schemas.microsoft.com/windows/pnpx/2005/10";
constexpr const char *Xop = "http://www.w3.org/2004/08/xop/include";

constexpr const char *AnonymousReply = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
constexpr const char *FaultAction = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault";
constexpr const char *DiscoveryMulticastTo = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";
constexpr const char *Discovery2009MulticastTo = "urn:docs-oasis-open-org:ws-dd:ns:discovery:2009:01";

constexpr const char *DialectThisModel = "http://schemas.xmlsoap.org/ws/2006/02/devprof/ThisModel";
constexpr const char *DialectThisDevice = "http://schemas.xmlsoap.org/ws/2006/02/devprof/ThisDevice";
constexpr const char *DialectRelationship = "http://schemas.xmlsoap.org/ws/2006/02/devprof/Relationship";
constexpr const char *RelationshipHost = "http://schemas.xmlsoap.org/ws/2006/02/devprof/host";

// Action URIs of the scan service: ScanActionPrefix + operation name.
constexpr const char *ScanActionPrefix = "http://schemas.microsoft.com/windows/2006/08/wdp/scan/";
constexpr const char *TransferGet = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
constexpr const char *TransferGetResponse = "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse";

}  // namespace wsd::ns
