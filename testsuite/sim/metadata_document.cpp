#include "metadata_document.h"

#include "wsd/namespaces.h"
#include "wsd/soap.h"

namespace wsdsim {

namespace ns = wsd::ns;
using wsd::xml::Writer;

std::string buildMetadataResponse(const DeviceIdentity &id, const std::string &relatesTo)
{
    wsd::soap::Addressing a;
    a.to = ns::AnonymousReply;
    a.action = ns::TransferGetResponse;
    a.relatesTo = relatesTo;
    const std::vector<wsd::soap::Namespace> namespaces = {
        {"wsx", ns::Mex}, {"wsdp", ns::Dpws}, {"wscn", ns::Scan}, {"pnpx", ns::Pnpx}};
    return wsd::soap::buildEnvelope(a, namespaces, [&](Writer &w) {
        w.start("wsx", "Metadata");

        w.start("wsx", "MetadataSection").attr("Dialect", ns::DialectThisModel);
        w.start("wsdp", "ThisModel");
        w.element("wsdp", "Manufacturer", id.manufacturer);
        w.element("wsdp", "ManufacturerUrl", id.manufacturerUrl);
        w.element("wsdp", "ModelName", id.modelName);
        w.element("wsdp", "ModelNumber", id.modelNumber);
        w.element("wsdp", "ModelUrl", id.manufacturerUrl);
        if (!id.deviceUrls.empty())
            w.element("wsdp", "PresentationUrl", id.deviceUrls.front());
        w.element("pnpx", "DeviceCategory", "Scanners");
        w.end().end();

        w.start("wsx", "MetadataSection").attr("Dialect", ns::DialectThisDevice);
        w.start("wsdp", "ThisDevice");
        w.element("wsdp", "FriendlyName", id.friendlyName);
        w.element("wsdp", "FirmwareVersion", id.firmwareVersion);
        w.element("wsdp", "SerialNumber", id.serialNumber);
        w.end().end();

        w.start("wsx", "MetadataSection").attr("Dialect", ns::DialectRelationship);
        w.start("wsdp", "Relationship").attr("Type", ns::RelationshipHost);
        w.start("wsdp", "Host");
        w.start("wsa", "EndpointReference").element("wsa", "Address", id.endpointUuid).end();
        w.element("wsdp", "Types", "wsdp:Device wscn:ScanDeviceType");
        w.element("wsdp", "ServiceId", id.endpointUuid);
        w.end();
        w.start("wsdp", "Hosted");
        for (const std::string &url : id.serviceUrls)
            w.start("wsa", "EndpointReference").element("wsa", "Address", url).end();
        w.element("wsdp", "Types", "wscn:ScannerServiceType");
        w.element("wsdp", "ServiceId", "uri:" + id.endpointUuid.substr(id.endpointUuid.rfind(':') + 1) + "/scan");
        w.element("pnpx", "CompatibleId", std::string(ns::ScanActionPrefix) + "ScannerServiceType");
        w.end();
        w.end().end();

        w.end();
    });
}

}  // namespace wsdsim
