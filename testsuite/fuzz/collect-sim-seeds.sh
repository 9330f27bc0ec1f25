#!/bin/bash
# Refreshes the seeds taken from wsd-sim's answers: starts wsd-sim on
# loopback (office-mfp profile), asks it each operation with curl and saves
# the responses into testsuite/fuzz/corpus/<target>/sim-*.  RetrieveImage
# bodies (75 dpi, small region) are saved in every format, as MTOM input
# (Content-Type line, four seed bytes, body) and as bare images.
#
#   testsuite/fuzz/collect-sim-seeds.sh PATH/TO/wsd-sim
set -euo pipefail
sim=${1:?usage: $0 PATH/TO/wsd-sim}
corpus=$(cd "$(dirname "$0")" && pwd)/corpus
work=$(mktemp -d /tmp/wsd-seeds.XXXXXX)
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

mkfifo "$work/ready"
"$sim" --profile office-mfp --adf-pages 2 </dev/null >"$work/ready" 2>"$work/sim.log" &
sim_pid=$!
read -r -t 20 line <"$work/ready"
case $line in "wsd-sim ready"*) ;; *) echo "wsd-sim not ready: $line" >&2; exit 1 ;; esac
device=$(sed 's/.* device URL \([^ ]*\) .*/\1/' <<<"$line")
service=$(sed 's/.* service URL \([^ ]*\) .*/\1/' <<<"$line")

scan=http://schemas.microsoft.com/windows/2006/08/wdp/scan
envelope() {  # envelope TO ACTION BODY
    printf '%s' "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"" \
        " xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wscn=\"$scan\">" \
        "<soap:Header><wsa:To>$1</wsa:To><wsa:Action>$2</wsa:Action>" \
        "<wsa:MessageID>urn:uuid:$(cat /proc/sys/kernel/random/uuid)</wsa:MessageID>" \
        "<wsa:ReplyTo><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>" \
        "</soap:Header><soap:Body>$3</soap:Body></soap:Envelope>"
}
post() {  # post URL ACTION BODY OUTFILE [HEADERFILE]
    envelope "$1" "$2" "$3" >"$work/request.xml"
    curl -sS --max-time 30 -H 'Content-Type: application/soap+xml; charset=utf-8' \
        ${5:+-D "$5"} --data-binary @"$work/request.xml" -o "$4" "$1"
}
save() {  # save TARGET NAME FILE
    mkdir -p "$corpus/$1"
    cp "$3" "$corpus/$1/sim-$2"
}

post "$device" http://schemas.xmlsoap.org/ws/2004/09/transfer/Get "" "$work/metadata.xml"
save metadata get-response.xml "$work/metadata.xml"
save soap metadata.xml "$work/metadata.xml"

post "$service" "$scan/GetScannerElements" \
    "<wscn:GetScannerElementsRequest><wscn:RequestedElements><wscn:Name>wscn:ScannerDescription</wscn:Name><wscn:Name>wscn:ScannerConfiguration</wscn:Name><wscn:Name>wscn:DefaultScanTicket</wscn:Name><wscn:Name>wscn:ScannerStatus</wscn:Name></wscn:RequestedElements></wscn:GetScannerElementsRequest>" \
    "$work/elements.xml"
save scanner_elements response.xml "$work/elements.xml"

ticket() {  # ticket FORMAT COLOR SOURCE
    echo "<wscn:ScanTicket><wscn:JobDescription><wscn:JobName>seed</wscn:JobName><wscn:JobOriginatingUserName>fuzz</wscn:JobOriginatingUserName></wscn:JobDescription><wscn:DocumentParameters><wscn:Format>$1</wscn:Format><wscn:ImagesToTransfer>1</wscn:ImagesToTransfer><wscn:InputSource>$3</wscn:InputSource><wscn:InputSize><wscn:InputMediaSize><wscn:Width>1000</wscn:Width><wscn:Height>1000</wscn:Height></wscn:InputMediaSize></wscn:InputSize><wscn:MediaSides><wscn:MediaFront><wscn:ScanRegion><wscn:ScanRegionXOffset>0</wscn:ScanRegionXOffset><wscn:ScanRegionYOffset>0</wscn:ScanRegionYOffset><wscn:ScanRegionWidth>1000</wscn:ScanRegionWidth><wscn:ScanRegionHeight>1000</wscn:ScanRegionHeight></wscn:ScanRegion><wscn:ColorProcessing>$2</wscn:ColorProcessing><wscn:Resolution><wscn:Width>75</wscn:Width><wscn:Height>75</wscn:Height></wscn:Resolution></wscn:MediaFront></wscn:MediaSides></wscn:DocumentParameters></wscn:ScanTicket>"
}

post "$service" "$scan/ValidateScanTicket" \
    "<wscn:ValidateScanTicketRequest>$(ticket jfif RGB24 Platen)</wscn:ValidateScanTicketRequest>" "$work/validate.xml"
save create_scan_job validate-response.xml "$work/validate.xml"

for f in jfif:RGB24:jpeg exif:Grayscale8:jpeg png:RGB24:png tiff-single-g4:BlackAndWhite1:tiff \
    tiff-single-uncompressed:Grayscale8:tiff dib:RGB24:dib; do
    IFS=: read -r format color decoder <<<"$f"
    post "$service" "$scan/CreateScanJob" \
        "<wscn:CreateScanJobRequest>$(ticket "$format" "$color" Platen)</wscn:CreateScanJobRequest>" "$work/job.xml"
    job_id=$(sed -n 's/.*<[a-z]*:JobId>\([0-9]*\)<.*/\1/p' "$work/job.xml")
    token=$(sed -n 's/.*<[a-z]*:JobToken>\([^<]*\)<.*/\1/p' "$work/job.xml")
    [ -n "$job_id" ] || { echo "CreateScanJob ($format) failed: $(cat "$work/job.xml")" >&2; exit 1; }
    save create_scan_job "$format-response.xml" "$work/job.xml"

    post "$service" "$scan/GetJobElements" \
        "<wscn:GetJobElementsRequest><wscn:JobId>$job_id</wscn:JobId><wscn:RequestedElements><wscn:Name>wscn:JobStatus</wscn:Name></wscn:RequestedElements></wscn:GetJobElementsRequest>" \
        "$work/jobelements.xml"
    save job_elements "$format-pending.xml" "$work/jobelements.xml"

    post "$service" "$scan/RetrieveImage" \
        "<wscn:RetrieveImageRequest><wscn:JobId>$job_id</wscn:JobId><wscn:JobToken>$token</wscn:JobToken><wscn:DocumentDescription><wscn:DocumentName>page1</wscn:DocumentName></wscn:DocumentDescription></wscn:RetrieveImageRequest>" \
        "$work/image.mime" "$work/image.headers"
    content_type=$(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$work/image.headers" | tr -d '\r')
    { printf '%s\n' "$content_type"; printf '\x2a\x00\x00\x00'; cat "$work/image.mime"; } >"$work/mtom.seed"
    save mtom "$format.seed" "$work/mtom.seed"
    save multipart "$format.seed" "$work/mtom.seed"  # the same input layout
    # The bare image: what follows the image part's header block, up to the closing delimiter.
    boundary=$(sed -n 's/.*boundary="\{0,1\}\([^";]*\).*/\1/p' <<<"$content_type")
    python3 - "$work/image.mime" "$boundary" "$work/image.bin" <<'EOF'
import sys
body, boundary, out = open(sys.argv[1], 'rb').read(), sys.argv[2].encode(), sys.argv[3]
parts = body.split(b'--' + boundary)
image = parts[2].split(b'\r\n\r\n', 1)[1].rsplit(b'\r\n', 1)[0]
open(out, 'wb').write(b'\x2a\x00\x00\x00' + image)
EOF
    save image_sniffing "$format.seed" "$work/image.bin"
    save "image_$decoder" "$format.seed" "$work/image.bin"

    post "$service" "$scan/GetJobElements" \
        "<wscn:GetJobElementsRequest><wscn:JobId>$job_id</wscn:JobId><wscn:RequestedElements><wscn:Name>wscn:JobStatus</wscn:Name></wscn:RequestedElements></wscn:GetJobElementsRequest>" \
        "$work/jobelements.xml"
    save job_elements "$format-done.xml" "$work/jobelements.xml"
done

post "$service" "$scan/GetActiveJobs" "<wscn:GetActiveJobsRequest/>" "$work/active.xml"
save job_summaries active.xml "$work/active.xml"
post "$service" "$scan/GetJobHistory" "<wscn:GetJobHistoryRequest/>" "$work/history.xml"
save job_summaries history.xml "$work/history.xml"
# A fault: RetrieveImage for a job that does not exist.
post "$service" "$scan/RetrieveImage" \
    "<wscn:RetrieveImageRequest><wscn:JobId>999</wscn:JobId><wscn:JobToken>x</wscn:JobToken><wscn:DocumentDescription><wscn:DocumentName>p</wscn:DocumentName></wscn:DocumentDescription></wscn:RetrieveImageRequest>" \
    "$work/fault.xml"
save soap fault.xml "$work/fault.xml"
save create_scan_job fault.xml "$work/fault.xml"
echo "seeds saved under $corpus"
