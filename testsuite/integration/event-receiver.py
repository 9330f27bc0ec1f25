#!/usr/bin/env python3
"""A tiny WS-Eventing event sink for the panel tests: an HTTP server on
127.0.0.1 that stores every POST body as DIR/NNNN.xml (in arrival order)
and answers 202 Accepted, as a DPWS client answers a one-way message.
Prints "listening PORT" once it accepts connections.

usage: event-receiver.py DIR
"""
import http.server
import os
import sys

MAX_BODY = 256 * 1024


class Sink(http.server.BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length > MAX_BODY:
            self.send_response(413)
            self.end_headers()
            return
        body = self.rfile.read(length)
        Sink.count += 1
        name = os.path.join(sys.argv[1], "%04d.xml" % Sink.count)
        with open(name + ".part", "wb") as f:
            f.write(body)
        # Complete files only: readers never see half a message.
        os.rename(name + ".part", name)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    server = http.server.HTTPServer(("127.0.0.1", 0), Sink)
    print("listening %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
