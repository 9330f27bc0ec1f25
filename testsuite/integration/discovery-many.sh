#!/bin/bash
# Issue 5, "Done when" (7): 20 wsd-sim instances at once (one namespace, each
# its own UUID and port, all answering on the shared port 3702) are all
# listed, each exactly once, by wsd-discover and by `scanimage -L`; a page is
# scanned from one of them. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage
build_program discover tools/wsd-discover
lab_up
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"

count=20
expected=()
for ((i = 1; i <= count; i++)); do
    uuid=$(printf '5ca00000-0000-4000-8000-%012d' "$((700 + i))")
    expected+=("$uuid")
    sim_start --side dev --name "sim$i" --interface "$LAB_IF" --uuid "$uuid" --name "Scanner $i"
done

listing=$(guard --side host 60 "$discover" -i "$LAB_IF" -t 3000) || fail "wsd-discover found nothing: $listing"
uuids=$(sed -n 's/^  UUID: *urn:uuid://p' <<<"$listing" | sort)
assert_eq "$(wc -l <<<"$uuids")" "$count" "devices listed by wsd-discover"
assert_eq "$(uniq <<<"$uuids" | wc -l)" "$count" "distinct devices listed by wsd-discover"
for uuid in "${expected[@]}"; do
    assert_contains "$uuids" "$uuid" "wsd-discover's devices"
done

start=$(lab_now_ms)
sane_list_devices host
it_log "scanimage -L with $count devices took $(($(lab_now_ms) - start)) ms"
assert_eq "$(wc -l <<<"$SANE_DEVICES")" "$count" "devices listed by scanimage -L"
assert_eq "$(sort -u <<<"$SANE_DEVICES" | wc -l)" "$count" "distinct devices listed by scanimage -L"
for uuid in "${expected[@]}"; do
    assert_contains "$SANE_DEVICES" "wsd:$uuid" "scanimage -L"
done
scan_flatbed_and_check host "wsd:${expected[6]}"
