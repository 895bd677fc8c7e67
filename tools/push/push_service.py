"""A push service for Knead's tests, on loopback: it plays a browser's
push service (RFC 8030) and the browser at once.

It makes a device's keys (a P-256 key pair and a 16-byte auth secret) and
prints, as its first line of JSON on stdout, the subscription a browser
would hand to Knead: {"endpoint", "keys": {"p256dh", "auth"}}. Every POST
to /push/<name> is then checked as a real push service and browser would:

- the VAPID header (RFC 8292): `vapid t=<JWT>, k=<key>`, an ES256 JWT
  signed by k, for this origin (aud), not expired, naming a contact (sub);
- the body decrypted with http_ece as `aes128gcm` (RFC 8188/8291) with the
  device's private key and auth secret;
- TTL and Content-Encoding headers present.

Each delivery is printed as one line of JSON on stdout: {"path", "ok",
"payload" (the decrypted text) or "error", "ttl", "aud", "sub", "key"}.
A push that fails a check is answered 403, as a real service refuses one;
paths ending in `gone` answer 410 (the subscription expired), as a real
service does for a device that unsubscribed; others 201.

Usage: push_service.py  (listens on 127.0.0.1, a free port; stops on
SIGTERM or when stdin closes).
"""

import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


DEVICE = ec.generate_private_key(ec.SECP256R1())
DEVICE_PUBLIC = DEVICE.public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
)
AUTH = os.urandom(16)
LOCK = threading.Lock()


def emit(record: dict) -> None:
    with LOCK:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def check_vapid(header: str, origin: str) -> dict:
    """The JWT's claims, once its signature, audience and expiry hold."""
    if not header.startswith("vapid "):
        raise ValueError("Authorization is not `vapid t=…, k=…`")
    params = dict(
        part.strip().split("=", 1) for part in header[len("vapid "):].split(",")
    )
    token, key = params["t"], params["k"]
    head, claims, signature = token.split(".")
    if json.loads(unb64u(head)).get("alg") != "ES256":
        raise ValueError("the JWT is not ES256")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64u(key))
    raw = unb64u(signature)
    if len(raw) != 64:
        raise ValueError("the signature is not 64 bytes")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unb64u(claims))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r} is not {origin!r}")
    if not (time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600):
        raise ValueError("exp is past or more than a day ahead")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:", "http:")):
        raise ValueError("sub is not a contact")
    claims["key"] = key
    return claims


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        origin = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        record = {"path": self.path, "ttl": self.headers.get("TTL")}
        try:
            if self.headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            if self.headers.get("TTL") is None:
                raise ValueError("no TTL")
            claims = check_vapid(self.headers.get("Authorization", ""), origin)
            record.update(aud=claims["aud"], sub=claims["sub"], key=claims["key"])
            plain = http_ece.decrypt(
                body, private_key=DEVICE, dh=None, auth_secret=AUTH, version="aes128gcm"
            )
            record.update(ok=True, payload=plain.decode("utf-8"))
        except (ValueError, KeyError, InvalidSignature, Exception) as e:  # every failure is reported
            record.update(ok=False, error=f"{type(e).__name__}: {e}")
        emit(record)
        if not record["ok"]:
            status = 403
        elif self.path.endswith("gone"):
            status = 410
        else:
            status = 201
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    emit(
        {
            "endpoint": f"http://{host}:{port}/push/device",
            "origin": f"http://{host}:{port}",
            "keys": {"p256dh": b64u(DEVICE_PUBLIC), "auth": b64u(AUTH)},
        }
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # The test holds stdin open for as long as it wants the service.
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
