// Every unit-test file contributes one Check suite; main.cpp runs them all.
#pragma once

#include <check.h>

Suite *configSuite();
Suite *xmlSuite();
Suite *simControlSuite();
Suite *simServiceSuite();
Suite *simJobsSuite();
Suite *soapSuite();
Suite *patternSuite();
Suite *capabilitiesSuite();
Suite *scanJobMessagesSuite();
Suite *optionsSuite();
Suite *quirksSuite();
Suite *discoveryMessageSuite();
Suite *metadataSuite();
Suite *discoveryResponderSuite();
Suite *mtomSuite();
Suite *decodersSuite();
Suite *hardeningSuite();
