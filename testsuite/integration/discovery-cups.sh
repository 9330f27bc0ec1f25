#!/bin/bash
# Issue 19: the scanner of a printer set up in CUPS appears in SANE. A cupsd
# of the test's own (its own configuration, spool and state directories, a
# private socket named by CUPS_SERVER, no network listener, no browsing) runs
# in the host namespace with three queues: one printing to a wsd-sim that
# answers no multicast, one to a printer-only wsd-sim, one to a host where
# nothing answers. scanimage -L lists the scanner once, its model naming the
# queue, and nothing for the others, within the discovery budget; then with
# no CUPS running the list comes as quickly as without CUPS (measured, not
# asserted). Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage cupsd lpadmin lpstat python3 avahi-daemon avahi-browse
build_program discover tools/wsd-discover
build_program check testsuite/tools/pattern-check
# Avahi in both namespaces, for a queue whose device URI is a DNS-SD service.
lab_up --avahi

# A second device address, for the printer; nothing at the third.
PRINTER_ADDR=198.18.0.3
SILENT_ADDR=198.18.0.9
lab_exec_dev ip addr add "$PRINTER_ADDR/24" dev "$LAB_IF" || hard_error "cannot add $PRINTER_ADDR"

# The scanner serves HTTP on WSDAPI's port, on its IPv4 and IPv6 addresses,
# and has no WS-Discovery socket at all: multicast cannot find it, only a
# directed probe to its host can.
sim_start --side dev --listen "$LAB_ADDR4_DEV" --listen "$LAB_ADDR6_DEV" --port 5357 --profile office-mfp -v
scanner_uuid=$SIM_UUID
sim_start --side dev --name printer --listen "$PRINTER_ADDR" --port 5357 --printer-only -v

# --- cupsd of the test's own --------------------------------------------------
cups_dir="$WORK_DIR/cups"
mkdir -p "$cups_dir"/{etc/ppd,spool/tmp,cache,state/certs,log}
chmod 755 "$cups_dir" "$cups_dir"/*
export CUPS_SERVER="$cups_dir/cups.sock"
cat >"$cups_dir/etc/cupsd.conf" <<EOF
# Only a private socket; no network listener, no browsing, no DNS-SD.
Listen $CUPS_SERVER
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
LogLevel info
WebInterface No
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
cat >"$cups_dir/cups-files.conf" <<EOF
ServerRoot $cups_dir/etc
RequestRoot $cups_dir/spool
TempDir $cups_dir/spool/tmp
CacheDir $cups_dir/cache
StateDir $cups_dir/state
ErrorLog $cups_dir/log/error_log
AccessLog $cups_dir/log/access_log
PageLog $cups_dir/log/page_log
EOF
# cupsd takes a queue only for a scheme it has a backend for; Debian's
# cups-daemon ships the ipp family alone (dnssd comes with the full cups
# package). Nothing is printed here, so a private ServerBin where dnssd is
# the ipp backend lets the scheduler take a dnssd:// queue.
mkdir -p "$cups_dir/lib/backend"
for f in /usr/lib/cups/*; do [ "${f##*/}" = backend ] || ln -s "$f" "$cups_dir/lib/"; done
for f in /usr/lib/cups/backend/*; do ln -s "$f" "$cups_dir/lib/backend/"; done
[ -e "$cups_dir/lib/backend/dnssd" ] || ln -s /usr/lib/cups/backend/ipp "$cups_dir/lib/backend/dnssd"
echo "ServerBin $cups_dir/lib" >>"$cups_dir/cups-files.conf"
show_on_failure "$cups_dir/log/error_log"
lab_spawn host cupsd cupsd -f -c "$cups_dir/etc/cupsd.conf" -s "$cups_dir/cups-files.conf"
cupsd_pid=$LAB_SPAWNED_PID
# lpstat -r exits 0 either way: its answer tells.
cupsd_ready() { [ "$(lab_exec_host lpstat -r 2>/dev/null)" = "scheduler is running" ]; }
lab_wait_until 20 "the test's cupsd" cupsd_ready || hard_error "cupsd did not start"
# The same printer under two names, as people do (a duplex queue).
lab_exec_host lpadmin -p Office_MFP -E -v "ipp://$LAB_ADDR4_DEV/ipp/print" ||
    hard_error "lpadmin Office_MFP"
lab_exec_host lpadmin -p Office_Duplex -E -v "ipp://$LAB_ADDR4_DEV:631/ipp/print" ||
    hard_error "lpadmin Office_Duplex"
# And once more by its IPv6 address: still one scanner.
lab_exec_host lpadmin -p Office_V6 -E -v "ipp://[$LAB_ADDR6_DEV]/ipp/print" || hard_error "lpadmin Office_V6"
lab_exec_host lpadmin -p Printer_Only -E -v "ipps://$PRINTER_ADDR/ipp/print" ||
    hard_error "lpadmin Printer_Only"
lab_exec_host lpadmin -p Gone -E -v "ipp://$SILENT_ADDR/ipp/print" || hard_error "lpadmin Gone"
it_log "CUPS queues: $(lab_exec_host lpstat -v 2>&1 | tr '\n' ';')"

budget_ms=2000
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = $budget_ms"

# --- the scanner of the CUPS printer is listed, once, named by its queues ---
start=$(lab_now_ms)
sane_list_devices host
it_log "scanimage -L with CUPS (a silent host among the queues): $(($(lab_now_ms) - start)) ms, budget $budget_ms ms"
assert_eq "$SANE_DEVICES" "wsd:${scanner_uuid#urn:uuid:}" "devices listed by scanimage -L"
listing=$(guard --side host 60 scanimage -L 2>&1) || fail "scanimage -L: $listing"
# In CUPS's order (CUPS-Get-Printers answers by name).
assert_contains "$listing" "WSD Sim Office MFP 4200 (CUPS: Office_Duplex, Office_MFP, Office_V6)" "scanimage -L"
assert_not_contains "$listing" "Printer_Only" "scanimage -L"
assert_not_contains "$listing" "Gone" "scanimage -L"
# Multicast was on and the scanner heard none of it: the directed probe to
# the queue's host found it.
assert_logged "the directed HTTP Probe to the queue's host" operation='Probe (HTTP)' outcome=ok \
    client="$LAB_ADDR4_HOST"
assert_logged "the directed HTTP Probe to its IPv6 address" operation='Probe (HTTP)' outcome=ok \
    client="$LAB_ADDR6_HOST"
assert_logged "the metadata Get to the endpoint address" operation=Get outcome=ok to="$scanner_uuid"
assert_logged --name printer "the directed Probe to the printer's host" operation='Probe (HTTP)' \
    client="$LAB_ADDR4_HOST"
assert_not_logged --name printer "a metadata Get to the printer" operation=Get
scan_flatbed_and_check host "wsd:${scanner_uuid#urn:uuid:}"

# --- wsd-discover says where it came from ---------------------------------------
text=$(guard --side host 60 "$discover" -i "$LAB_IF" -t "$budget_ms" 2>&1) || fail "wsd-discover: $text"
it_log "wsd-discover: $text"
assert_contains "$text" "UUID:         $scanner_uuid" "wsd-discover"
assert_contains "$text" "CUPS queue:   Office_MFP" "wsd-discover"
assert_contains "$text" "CUPS queue:   Office_Duplex" "wsd-discover"
assert_contains "$text" "CUPS queue:   Office_V6" "wsd-discover"
assert_contains "$text" "found by:     cups" "wsd-discover"
text=$(guard --side host 60 "$discover" --no-cups -i "$LAB_IF" -t "$budget_ms" 2>&1) &&
    fail "wsd-discover --no-cups found something: $text"

# --- cups = off: nothing asks CUPS ------------------------------------------------
sane_env_wsd "$WORK_DIR/sane-off" "interface = $LAB_IF" "discovery-timeout = $budget_ms" "cups = off"
sane_list_devices host
assert_eq "$SANE_DEVICES" "" "devices listed with cups = off"

# --- a queue by DNS-SD service name ------------------------------------------------
# CUPS's own way of naming a driverless printer: dnssd://NAME._ipp._tcp.local/.
# The scanner now also publishes its printer service (the dev namespace's
# Avahi); Avahi in the host namespace resolves the name.
sim_stop
sim_stop --name printer
# One address again, so that the published host name means the scanner.
lab_exec_dev ip addr del "$PRINTER_ADDR/24" dev "$LAB_IF" || hard_error "cannot remove $PRINTER_ADDR"
sim_start --side dev --name mdns --interface "$LAB_IF" --ignore-multicast-probe --port 5357 \
    --dnssd _ipp._tcp --dnssd-name "Lab MFP" --profile office-mfp -v
mdns_uuid=$SIM_UUID
browse() {
    lab_exec host timeout 5 avahi-browse -krtp _ipp._tcp 2>/dev/null | grep -q "^=;.*;Lab.*MFP;_ipp._tcp;.*;$LAB_ADDR4_DEV;5357;" &&
        ! lab_exec host timeout 5 avahi-browse -krtp _ipp._tcp 2>/dev/null | grep -q ";$PRINTER_ADDR;"
}
lab_wait_until 20 "the DNS-SD record of the simulator in the host namespace" browse ||
    fail "the host namespace's Avahi never saw the simulator's record: $(lab_exec host timeout 5 avahi-browse -krtp _ipp._tcp 2>&1)"
for q in Office_MFP Office_Duplex Office_V6 Printer_Only Gone; do lab_exec_host lpadmin -x "$q" || hard_error "lpadmin -x $q"; done
lab_exec_host lpadmin -p Lab_DNSSD -E -v "dnssd://Lab%20MFP._ipp._tcp.local/" || hard_error "lpadmin Lab_DNSSD"
sane_env_wsd "$WORK_DIR/sane-dnssd" "interface = $LAB_IF" "discovery-timeout = $budget_ms"
listing=$(guard --side host 60 scanimage -L 2>&1) || fail "scanimage -L: $listing"
it_log "scanimage -L, a dnssd queue: $listing"
assert_contains "$listing" "device \`wsd:${mdns_uuid#urn:uuid:}' is a sane-wsd project WSD Sim Office MFP 4200 (CUPS: Lab_DNSSD)"
# Avahi's own directed probes reach the same host: only the queue name in the
# model shows that the dnssd:// URI was resolved to it.
assert_logged --name mdns "the metadata Get to the endpoint address" operation=Get outcome=ok to="$mdns_uuid"

# --- CUPS not running: no delay, a debug message -----------------------------------
# As on a machine without CUPS: no scheduler, no CUPS_SERVER (libcups then
# tries /run/cups/cups.sock, the namespace's private /run has none, and
# localhost).
sim_stop --name mdns
kill -TERM "$cupsd_pid"
wait_child "$cupsd_pid" 20 "cupsd" || true
unset CUPS_SERVER
sane_env_wsd "$WORK_DIR/sane-gone" "interface = $LAB_IF" "discovery-timeout = $budget_ms"
for cups in on off; do
    start=$(lab_now_ms)
    listing=$(SANE_WSD_CUPS=$cups SANE_DEBUG_WSD=3 guard --side host 60 scanimage -L 2>"$WORK_DIR/gone-$cups.log") ||
        fail "scanimage -L without cupsd: $listing"
    it_log "scanimage -L, cupsd stopped, cups = $cups: $(($(lab_now_ms) - start)) ms"
    assert_not_contains "$listing" "wsd:" "scanimage -L without cupsd"
done
show_on_failure "$WORK_DIR/gone-on.log"
it_log "the backend says: $(grep -F CUPS "$WORK_DIR/gone-on.log" | head -1)"
it_log "ok"
