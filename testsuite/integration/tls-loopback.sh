#!/usr/bin/env bash
# HTTPS device endpoints, on loopback: wsd-sim serves over TLS with a
# self-signed certificate made here. The backend scans from it with the
# default tls-verify = off, and refuses it with tls-verify = on.
. "$(dirname "$0")/lib.sh"

require_commands openssl python3 curl
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

# A self-signed certificate, as devices have (for 127.0.0.1).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=WSD Sim" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$WORK_DIR/key.pem" -out "$WORK_DIR/cert.pem" 2>"$WORK_DIR/openssl.err" ||
    hard_error "openssl could not make a certificate: $(cat "$WORK_DIR/openssl.err")"

sim_start --listen 127.0.0.1 --profile office-mfp --tls-cert "$WORK_DIR/cert.pem" --tls-key "$WORK_DIR/key.pem"
case $SIM_DEVICE_URL in https://*) ;; *) fail "wsd-sim does not announce an https URL: $SIM_DEVICE_URL" ;; esac

jobs_summary() { sim_jobs state imagesRetrieved; }

it_log "tls-verify off (default): a page over https"
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device tls $SIM_DEVICE_URL"
out=$(guard 60 "$probe" -d wsd:tls --option resolution=150)
assert_contains "$out" " open Success" "sane_open"
params=$(grep ' parameters ' <<<"$out")
bpl=$(sed 's/.* bpl=\([0-9]*\).*/\1/' <<<"$params")
lines=$(sed 's/.* lines=\([0-9]*\).*/\1/' <<<"$params")
assert_contains "$out" "status=End of file reached bytes=$((bpl * lines)) " "the scan"
assert_eq "$(jobs_summary)" "Completed 1" "jobs on the device"

it_log "tls-verify = on: the self-signed certificate is refused"
sim_control POST /reset-log >/dev/null
sane_env_wsd "$WORK_DIR/sane-verify" "discovery = off" "tls-verify = on" "device tls $SIM_DEVICE_URL"
show_on_failure "$WORK_DIR/verify.err"
out=$(SANE_DEBUG_WSD=2 guard 60 "$probe" -d wsd:tls 2>"$WORK_DIR/verify.err")
assert_contains "$out" " open Error during device I/O" "sane_open with tls-verify = on"
# Refused in the TLS handshake, for its certificate: the same URL served a
# scan with verification off, and this time no request reached the device.
requests=$(sim_control GET /log | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["log"]))')
assert_eq "$requests" 0 "requests the device received with tls-verify = on"
assert_eq "$(jobs_summary)" "Completed 1" "jobs on the device"
# The certificate is what a verifying client refuses: curl fails to verify
# the peer (exit status 60) unless told to trust that certificate.
curl -sS -o /dev/null "$SIM_DEVICE_URL" 2>/dev/null
assert_eq "$?" 60 "curl's status, verifying the device's certificate"
curl -sS -o /dev/null --cacert "$WORK_DIR/cert.pem" "$SIM_DEVICE_URL" ||
    fail "curl could not reach the device trusting its certificate"
it_log "https works with verification off, and verification refuses a self-signed device"
