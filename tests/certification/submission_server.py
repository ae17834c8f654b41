#!/usr/bin/python3
"""A stand-in for the network center's submission endpoint, bound to 127.0.0.1 only (tests).

POST /batches with a zip body and an Idempotency-Key header. The first --fail-first requests answer 500.
With --tls-cert/--tls-key it serves https; with --client-ca it also requires a client certificate.
With --token-file, a request without "Authorization: Bearer <the file's content>" is answered 401.
A key seen before gets the receipt it got the first time (nothing is stored twice). Every stored batch is
checked: a valid zip holding manifest.json, manifest.json.sig and the portraits it names, the signature made
with the center key registered here beforehand (--center-key, the center's exported public key; a key inside
the manifest is never used), else 403.
With --receipt-key (a center secret key file, format badge-center-secret-key) receipts are signed as the network
center signs them: Ed25519 over the receipt without "signature", compact JSON with sorted keys, UTF-8.
Writes its port to --port-file; logs one JSON line per request to --log.
"""
import argparse
import base64
import hashlib
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--fail-first", type=int, default=0)
parser.add_argument("--token-file")
parser.add_argument("--tls-cert", help="serve https with this PEM certificate chain (and --tls-key)")
parser.add_argument("--tls-key")
parser.add_argument("--client-ca", help="with --tls-cert: require a client certificate signed by this CA")
parser.add_argument("--center-key", required=True, help="the submitting center's exported public key")
parser.add_argument("--receipt-key", help="sign receipts with this secret key file")
args = parser.parse_args()


def b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


registered = json.load(open(args.center_key))
center_key = Ed25519PublicKey.from_public_bytes(b64decode(registered["public_key"]))
receipt_key = None
if args.receipt_key:
    receipt_key = Ed25519PrivateKey.from_private_bytes(b64decode(json.load(open(args.receipt_key))["seed"]))


def signed(receipt):
    if receipt_key is None:
        return receipt
    text = json.dumps(receipt, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return dict(receipt, signature=b64encode(receipt_key.sign(text)))
token = open(args.token_file).read().strip() if args.token_file else None

lock = threading.Lock()
state = {"requests": 0, "receipts": {}, "stored": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        key = self.headers.get("Idempotency-Key", "")
        with lock:
            state["requests"] += 1
            n = state["requests"]
            auth = self.headers.get("Authorization")
            entry = {"n": n, "key": key, "bytes": len(body), "auth": auth}
            if args.client_ca:
                peer = self.connection.getpeercert() or {}
                entry["client"] = dict(x[0] for x in peer.get("subject", ())).get("commonName")
            if token is not None and auth != "Bearer " + token:
                entry["status"] = 401
                status, answer = 401, {"error": "missing or wrong bearer token"}
            elif n <= args.fail_first:
                entry["status"] = 500
                status, answer = 500, {"error": "temporarily unavailable"}
            elif not key:
                entry["status"] = 400
                status, answer = 400, {"error": "Idempotency-Key missing"}
            elif key in state["receipts"]:
                entry["status"] = 200
                entry["replay"] = True
                status, answer = 200, state["receipts"][key]
            else:
                try:
                    z = zipfile.ZipFile(io.BytesIO(body))
                    assert z.testzip() is None
                    manifest_bytes = z.read("manifest.json")
                    manifest = json.loads(manifest_bytes)
                    sig = b64decode(z.read("manifest.json.sig").decode().strip())
                    for w in manifest["workers"]:
                        if w["portrait"]:
                            data = z.read(w["portrait"]["file"])
                            assert hashlib.sha256(data).hexdigest() == w["portrait"]["sha256"]
                    assert hashlib.sha256(manifest_bytes).hexdigest() == self.headers.get("X-Manifest-SHA256")
                except Exception as e:  # noqa: BLE001 - any defect is the client's
                    entry["status"] = 422
                    status, answer = 422, {"error": "bad batch: %r" % e}
                else:
                    # The key registered for the center, never one the manifest might bring along.
                    try:
                        if manifest["center"]["code"] != registered["center"]:
                            raise InvalidSignature()
                        center_key.verify(sig, manifest_bytes)
                    except InvalidSignature:
                        entry["status"] = 403
                        status, answer = 403, {"error": "the manifest is not signed with the key registered for "
                                                        "center %s" % registered["center"]}
                    else:
                        state["stored"] += 1
                        entry["status"] = 200
                        entry["stored"] = True
                        answer = signed({"receipt": "R-%04d" % state["stored"], "batch": manifest["batch"]["code"],
                                         "workers": len(manifest["workers"])})
                        state["receipts"][key] = answer
                        status = 200
            with open(args.log, "a") as f:
                f.write(json.dumps(entry) + "\n")
        self.answer(status, answer)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if args.tls_cert:
    import ssl  # noqa: E402
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    server.socket = context.wrap_socket(server.socket, server_side=True)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
