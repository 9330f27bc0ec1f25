#include "suites.h"

#include "wsd/namespaces.h"
#include "wsd/xml.h"

#include <string>

START_TEST(matches_by_namespace_not_prefix)
{
    // The HP LaserJet M2727dnf binds the prefix wscn to another namespace.
    const char *doc =
        "<a:Root xmlns:a='urn:x' xmlns:wscn='http://tempuri.org/wscn.xsd'"
        " xmlns:zz='http://schemas.microsoft.com/windows/2006/08/wdp/scan'>"
        "<wscn:ScannerName>HP</wscn:ScannerName><zz:ScannerName> Real </zz:ScannerName></a:Root>";
    wsd::xml::Document d = wsd::xml::Document::parse(doc);
    ck_assert(static_cast<bool>(d));
    wsd::xml::Node name = d.root().child(wsd::ns::Scan, "ScannerName");
    ck_assert(static_cast<bool>(name));
    ck_assert(name.text() == "Real");
    ck_assert_uint_eq(d.root().children(wsd::ns::Scan, "ScannerName").size(), 1);
}
END_TEST

START_TEST(resolves_qnames_in_text_and_attributes)
{
    const char *doc =
        "<r xmlns:s='http://schemas.microsoft.com/windows/2006/08/wdp/scan' xmlns='urn:default'>"
        "<e Name='s:ScannerConfiguration'>s:ScanDeviceType  Device\n x:Unknown</e></r>";
    wsd::xml::Document d = wsd::xml::Document::parse(doc);
    wsd::xml::Node e = d.root().firstElement();
    wsd::xml::QName q = e.resolveQName(*e.attr("Name"));
    ck_assert_str_eq(q.ns.c_str(), wsd::ns::Scan);
    ck_assert_str_eq(q.local.c_str(), "ScannerConfiguration");
    auto list = e.resolveQNameList(e.text());
    ck_assert_uint_eq(list.size(), 3);
    ck_assert_str_eq(list[0].ns.c_str(), wsd::ns::Scan);
    ck_assert_str_eq(list[1].ns.c_str(), "urn:default");  // unprefixed: default namespace
    ck_assert_str_eq(list[2].ns.c_str(), "");              // undeclared prefix: no namespace
}
END_TEST

START_TEST(reads_qualified_and_unqualified_attributes)
{
    wsd::xml::Document d = wsd::xml::Document::parse(
        "<r xmlns:w='urn:w'><a Valid='true'/><b w:Valid='false'/></r>");
    auto els = d.root().elements();
    ck_assert(els[0].attr("Valid") == std::string("true"));
    ck_assert(els[1].attr("Valid") == std::string("false"));
    ck_assert(!els[0].attr("Missing").has_value());
}
END_TEST

START_TEST(refuses_doctype_and_entities)
{
    std::string error;
    const char *laughs =
        "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
        "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>]><r>&lol2;</r>";
    ck_assert(!wsd::xml::Document::parse(laughs, &error));
    ck_assert(error.find("DOCTYPE") != std::string::npos);
    const char *xxe = "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;</r>";
    ck_assert(!wsd::xml::Document::parse(xxe, &error));
    const char *external = "<!DOCTYPE r SYSTEM 'http://198.18.0.1/evil.dtd'><r/>";
    ck_assert(!wsd::xml::Document::parse(external, &error));
}
END_TEST

START_TEST(refuses_malformed_and_oversize)
{
    std::string error;
    ck_assert(!wsd::xml::Document::parse("<a><b></a>", &error));
    ck_assert(!error.empty());
    ck_assert(!wsd::xml::Document::parse("", &error));
    std::string big = "<a>" + std::string(wsd::xml::MaxDocumentSize, 'x') + "</a>";
    ck_assert(!wsd::xml::Document::parse(big, &error));
    ck_assert(error.find("limit") != std::string::npos);
}
END_TEST

START_TEST(booleans_and_integers)
{
    ck_assert(*wsd::xml::parseBool(" true "));
    ck_assert(*wsd::xml::parseBool("1"));
    ck_assert(!*wsd::xml::parseBool("0"));
    ck_assert(!*wsd::xml::parseBool("false"));
    ck_assert(!wsd::xml::parseBool("yes").has_value());
    ck_assert_int_eq(*wsd::xml::parseInt(" 8500 "), 8500);
    ck_assert(!wsd::xml::parseInt("12a").has_value());
    ck_assert(!wsd::xml::parseInt("5", 10, 20).has_value());
    ck_assert(!wsd::xml::parseInt("99999999999").has_value());
}
END_TEST

START_TEST(writer_and_serialize_round_trip)
{
    wsd::xml::Writer w;
    w.start("p", "Root").declare("p", "urn:p").start("p", "Child").attr("a", "x<y").text("1 & 2").end();
    std::string text = w.finish();
    ck_assert(text.find('\n') == std::string::npos);
    wsd::xml::Document d = wsd::xml::Document::parse(text);
    wsd::xml::Node child = d.root().child("urn:p", "Child");
    ck_assert(child.text() == "1 & 2");
    ck_assert(child.attr("a") == std::string("x<y"));
    // A serialised subtree declares the namespaces it inherited.
    wsd::xml::Document again = wsd::xml::Document::parse(wsd::xml::serialize(child));
    ck_assert(again.root().is("urn:p", "Child"));
}
END_TEST

Suite *xmlSuite()
{
    Suite *s = suite_create("xml");
    TCase *tc = tcase_create("xml");
    tcase_add_test(tc, matches_by_namespace_not_prefix);
    tcase_add_test(tc, resolves_qnames_in_text_and_attributes);
    tcase_add_test(tc, reads_qualified_and_unqualified_attributes);
    tcase_add_test(tc, refuses_doctype_and_entities);
    tcase_add_test(tc, refuses_malformed_and_oversize);
    tcase_add_test(tc, booleans_and_integers);
    tcase_add_test(tc, writer_and_serialize_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
