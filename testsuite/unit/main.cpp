#include "suites.h"

#include "config.h"

#include <cstdlib>

int main()
{
    // Tests never probe the network: discovery stays off whatever the caller has set.
    setenv("SANE_WSD_DISCOVERY", "off", 1);
    SRunner *runner = srunner_create(configSuite());
    srunner_add_suite(runner, xmlSuite());
    srunner_add_suite(runner, stringsSuite());
    srunner_add_suite(runner, simJobsSuite());
    srunner_add_suite(runner, simServiceSuite());
    srunner_add_suite(runner, simControlSuite());
    srunner_add_suite(runner, simEventingSuite());
    srunner_add_suite(runner, soapSuite());
    srunner_add_suite(runner, patternSuite());
    srunner_add_suite(runner, capabilitiesSuite());
    srunner_add_suite(runner, scanJobMessagesSuite());
    srunner_add_suite(runner, optionsSuite());
    srunner_add_suite(runner, quirksSuite());
    srunner_add_suite(runner, discoveryMessageSuite());
    srunner_add_suite(runner, metadataSuite());
    srunner_add_suite(runner, discoveryResponderSuite());
    srunner_add_suite(runner, multipartSuite());
    srunner_add_suite(runner, mtomSuite());
    srunner_add_suite(runner, decodersSuite());
    srunner_add_suite(runner, pagePipeSuite());
    srunner_add_suite(runner, pageReaderSuite());
    srunner_add_suite(runner, hardeningSuite());
    srunner_add_suite(runner, urlSuite());
    srunner_add_suite(runner, discoveryTableSuite());
    srunner_add_suite(runner, discoveryTrustSuite());
    srunner_add_suite(runner, jobRegistrySuite());
    srunner_add_suite(runner, wsscanClientSuite());
    srunner_add_suite(runner, addressingSuite());
    srunner_add_suite(runner, captureMaskSuite());
    srunner_add_suite(runner, jobRefusalSuite());
    srunner_add_suite(runner, eventsSuite());
    srunner_add_suite(runner, panelSubscriptionSuite());
    srunner_add_suite(runner, jobEventsSuite());
    srunner_add_suite(runner, servedDevicesSuite());
    srunner_add_suite(runner, deviceCacheSuite());
#ifdef HAVE_CUPS
    srunner_add_suite(runner, printQueuesSuite());
#endif
    srunner_add_suite(runner, hostLookupSuite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
