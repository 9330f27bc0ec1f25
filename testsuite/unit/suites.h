// Every unit-test file contributes one Check suite; main.cpp runs them all.
#pragma once

#include <check.h>

#include <string>

// ck_assert_str_eq keeps the pointers it is given past the statement that
// made them: a std::string returned by value must be held while it compares
// (ASan: stack-use-after-scope otherwise).
#define ASSERT_STRING_EQ(actual, expected)                    \
    do {                                                      \
        const std::string actual_string_ = (actual);          \
        ck_assert_str_eq(actual_string_.c_str(), (expected)); \
    } while (0)

Suite *configSuite();
Suite *xmlSuite();
Suite *stringsSuite();
Suite *simJobsSuite();
Suite *simServiceSuite();
Suite *simControlSuite();
Suite *soapSuite();
Suite *patternSuite();
Suite *capabilitiesSuite();
Suite *scanJobMessagesSuite();
Suite *optionsSuite();
Suite *quirksSuite();
Suite *discoveryMessageSuite();
Suite *metadataSuite();
Suite *discoveryResponderSuite();
Suite *multipartSuite();
Suite *mtomSuite();
Suite *decodersSuite();
Suite *pagePipeSuite();
Suite *pageReaderSuite();
Suite *hardeningSuite();
Suite *urlSuite();
Suite *discoveryTableSuite();
Suite *discoveryTrustSuite();
Suite *jobRegistrySuite();
Suite *wsscanClientSuite();
Suite *addressingSuite();
Suite *captureMaskSuite();
Suite *simEventingSuite();
Suite *jobRefusalSuite();
Suite *eventsSuite();
Suite *panelSubscriptionSuite();
Suite *jobEventsSuite();
Suite *servedDevicesSuite();
Suite *printQueuesSuite();  // built with libcups only
Suite *deviceCacheSuite();
Suite *hostLookupSuite();
