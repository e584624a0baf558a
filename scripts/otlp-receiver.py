#!/usr/bin/env python3
"""A small OTLP/HTTP trace receiver for looking at one trace on a machine without a collector.

  otlp-receiver.py serve HOST PORT OUT.jsonl   takes POST /v1/traces (protobuf, as the OpenTelemetry .NET
                                               exporter sends with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)
                                               and appends one JSON line per span; /v1/metrics and /v1/logs
                                               are accepted and dropped.
  otlp-receiver.py tree OUT.jsonl ROUTE        prints the span tree of the last trace whose server span has
                                               http.route ROUTE (e.g. /api/appointments).

Only the fields a tree needs are decoded (ids, name, kind, times, attributes, scope, service.name), from the
field numbers of opentelemetry/proto/trace/v1/trace.proto; Python's standard library only.
"""
import gzip
import json
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def fields(buf):
    """Yields (field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            size, i = varint(buf, i)
            value, i = buf[i:i + size], i + size
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire} not handled")
        yield number, wire, value


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def any_value(buf):
    for number, wire, value in fields(buf):
        if number == 1:
            return value.decode("utf-8", "replace")
        if number == 2:
            return bool(value)
        if number == 3:
            return value - (1 << 64) if value >= 1 << 63 else value
        if number == 4:
            return struct.unpack("<d", value)[0]
        return "<complex>"
    return None


def key_value(buf):
    key = val = None
    for number, _, value in fields(buf):
        if number == 1:
            key = value.decode()
        elif number == 2:
            val = any_value(value)
    return key, val


KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def spans_of(request):
    for number, _, resource_spans in fields(request):
        if number != 1:
            continue
        service, scopes = "?", []
        for n, _, v in fields(resource_spans):
            if n == 1:
                for rn, _, rv in fields(v):
                    if rn == 1:
                        k, val = key_value(rv)
                        if k == "service.name":
                            service = val
            elif n == 2:
                scopes.append(v)
        for scope_spans in scopes:
            scope = ""
            for n, _, v in fields(scope_spans):
                if n == 1:
                    scope = next((sv.decode() for sn, _, sv in fields(v) if sn == 1), "")
                elif n == 2:
                    span = {"service": service, "scope": scope, "parentId": "", "attributes": {}}
                    for sn, _, sv in fields(v):
                        if sn == 1:
                            span["traceId"] = sv.hex()
                        elif sn == 2:
                            span["spanId"] = sv.hex()
                        elif sn == 4:
                            span["parentId"] = sv.hex()
                        elif sn == 5:
                            span["name"] = sv.decode("utf-8", "replace")
                        elif sn == 6:
                            span["kind"] = KINDS.get(sv, str(sv))
                        elif sn == 7:
                            span["start"] = struct.unpack("<Q", sv)[0]
                        elif sn == 8:
                            span["end"] = struct.unpack("<Q", sv)[0]
                        elif sn == 9:
                            k, val = key_value(sv)
                            span["attributes"][k] = val
                    yield span


def serve(host, port, out):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/traces":
                with open(out, "a") as f:
                    for span in spans_of(body):
                        f.write(json.dumps(span) + "\n")
            # An empty Export*ServiceResponse is an empty protobuf message.
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()


def tree(path, route):
    spans = [json.loads(line) for line in open(path)]
    roots = [s for s in spans if s.get("kind") == "server" and (s["attributes"].get("http.route") or "").rstrip("/") == route.rstrip("/")]
    if not roots:
        seen = sorted({f"{s.get('kind')} {s['service']} {s.get('name')}" for s in spans})[:40]
        sys.exit(f"no server span with http.route {route} in {path} ({len(spans)} spans):\n" + "\n".join(seen))
    root = max(roots, key=lambda s: s["start"])
    trace = [s for s in spans if s["traceId"] == root["traceId"]]
    children = {}
    for s in trace:
        children.setdefault(s["parentId"], []).append(s)
    t0 = root["start"]
    print(f"trace {root['traceId']}: {len(trace)} spans, "
          f"{len({s['service'] for s in trace})} processes ({', '.join(sorted({s['service'] for s in trace}))})")
    print(f"{'start ms':>9} {'took ms':>8}  span")

    def show(span, depth):
        detail = span["attributes"].get("db.query.text") or span["attributes"].get("db.statement") or ""
        detail = " ".join(detail.split())
        if len(detail) > 70:
            detail = detail[:67] + "..."
        status = span["attributes"].get("http.response.status_code")
        label = f"{span['name']}" + (f" -> {status}" if status else "") + (f"  [{detail}]" if detail else "")
        print(f"{(span['start'] - t0) / 1e6:9.1f} {(span['end'] - span['start']) / 1e6:8.1f}  "
              f"{'  ' * depth}{span['service']}: {label}")
        for child in sorted(children.get(span["spanId"], []), key=lambda s: s["start"]):
            show(child, depth + 1)

    show(root, 0)
    orphans = [s for s in trace if s is not root and s["parentId"] not in {x["spanId"] for x in trace}]
    for s in orphans:
        print(f"(parent not received) {s['service']}: {s['name']}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(*sys.argv[2:5])
    elif len(sys.argv) == 4 and sys.argv[1] == "tree":
        tree(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
