#!/usr/bin/python3
"""Virtual ICAO eMRTD (passport chip) for the tests: speaks the vpcd protocol to the real pcscd.

Written independently of the C++ reader (devices/src/id_*.cpp) so that a misreading of ICAO 9303
cannot hide on both sides. Uses Debian's python3-pycryptodome (the Cryptodome namespace).

  vpassport.py build --mrz MRZ.txt --photo FACE.jpg --out DIR      writes com.bin, dg1.bin, dg2.bin
  vpassport.py serve --mrz MRZ.txt --photo FACE.jpg [--sod SOD.bin] [--port 35963] [options]

The card implements the LDS1 application (AID A0000002471001) with BAC enforced and 3DES secure
messaging; every protected response carries DO'99' and DO'8E'.
"""
import argparse
import hashlib
import os
import socket
import struct
import sys
import time

from Cryptodome.Cipher import DES, DES3

AID = bytes.fromhex("A0000002471001")
FID_COM, FID_SOD, FID_DG1, FID_DG2 = 0x011E, 0x011D, 0x0101, 0x0102


# ---------------------------------------------------------------- LDS building

def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, value):
    t = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    return t + der_len(len(value)) + value


def read_mrz(path):
    with open(path, encoding="ascii") as f:
        lines = [l.strip() for l in f.read().splitlines() if l.strip()]
    return "".join(lines)


def jpeg_size(img):
    """Width and height from the SOF marker of a JPEG (0, 0 when not found)."""
    i = 2
    while i + 9 < len(img):
        if img[i] != 0xFF:
            i += 1
            continue
        marker = img[i + 1]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3):
            h, w = struct.unpack(">HH", img[i + 5:i + 9])
            return w, h
        seglen = struct.unpack(">H", img[i + 2:i + 4])[0]
        i += 2 + seglen
    return 0, 0


def build_com():
    return tlv(0x60, tlv(0x5F01, b"0107") + tlv(0x5F36, b"040000") + tlv(0x5C, bytes([0x61, 0x75])))


def build_dg1(mrz):
    return tlv(0x61, tlv(0x5F1F, mrz.encode("ascii")))


def build_dg2(photo):
    is_jpeg = photo[:3] == b"\xff\xd8\xff"
    w, h = jpeg_size(photo) if is_jpeg else (0, 0)
    facial_info = struct.pack(">IH", 20 + 12 + len(photo), 0) + bytes(14)   # block length, 0 feature points
    image_info = struct.pack(">BBHHBBHH", 1, 0 if is_jpeg else 1, w, h, 1, 2, 0, 0)
    block = facial_info + image_info + photo
    record = b"FAC\x00" + b"010\x00" + struct.pack(">IH", 14 + len(block), 1) + block
    bht = tlv(0xA1, tlv(0x80, b"\x01\x01") + tlv(0x81, b"\x02") + tlv(0x87, b"\x01\x01") + tlv(0x88, b"\x00\x08"))
    return tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + tlv(0x7F60, bht + tlv(0x5F2E, record))))


def build_files(mrz_path, photo_path):
    with open(photo_path, "rb") as f:
        photo = f.read()
    return {FID_COM: build_com(), FID_DG1: build_dg1(read_mrz(mrz_path)), FID_DG2: build_dg2(photo)}


# ---------------------------------------------------------------- crypto (ICAO 9303-11)

def check_digit(s):
    total = 0
    for i, c in enumerate(s):
        v = int(c) if c.isdigit() else (ord(c) - 55 if c.isalpha() else 0)
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def bac_seed_from_mrz(mrz):
    if len(mrz) == 88:      # TD3
        docno, birth, expiry = mrz[44:53], mrz[57:63], mrz[65:71]
    elif len(mrz) == 90:    # TD1
        docno, birth, expiry = mrz[5:14], mrz[30:36], mrz[38:44]
        if mrz[14] == "<" and mrz[15] != "<":
            ext = mrz[15:30].split("<")[0]
            docno = docno + ext[:-1]
    else:                   # TD2
        docno, birth, expiry = mrz[36:45], mrz[49:55], mrz[57:63]
    info = docno + check_digit(docno) + birth + check_digit(birth) + expiry + check_digit(expiry)
    return hashlib.sha1(info.encode("ascii")).digest()[:16]


def kdf(seed, c):
    k = bytearray(hashlib.sha1(seed + c.to_bytes(4, "big")).digest()[:16])
    for i, b in enumerate(k):
        k[i] = (b & 0xFE) | (bin(b >> 1).count("1") % 2 == 0)
    return bytes(k)


def pad(b):
    b = b + b"\x80"
    return b + bytes((8 - len(b) % 8) % 8)


def unpad(b):
    b = b.rstrip(b"\x00")
    if not b.endswith(b"\x80"):
        raise ValueError("bad padding")
    return b[:-1]


def enc3(key, data):
    return DES3.new(key, DES3.MODE_CBC, iv=bytes(8)).encrypt(data)


def dec3(key, data):
    return DES3.new(key, DES3.MODE_CBC, iv=bytes(8)).decrypt(data)


def mac3(key, data):
    data = pad(data)
    ka, kb = key[:8], key[8:16]
    h = DES.new(ka, DES.MODE_CBC, iv=bytes(8)).encrypt(data)[-8:]
    h = DES.new(kb, DES.MODE_ECB).decrypt(h)
    return DES.new(ka, DES.MODE_ECB).encrypt(h)


def parse_tlvs(b):
    out, i = [], 0
    while i < len(b):
        start = i
        tag = b[i]
        i += 1
        if tag & 0x1F == 0x1F:
            tag = tag << 8 | b[i]
            i += 1
        n = b[i]
        i += 1
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(b[i:i + k], "big")
            i += k
        if i + n > len(b):
            raise ValueError("truncated")
        out.append((tag, b[i:i + n], b[start:i + n]))
        i += n
    return out


def raw_tlv(tag, value):
    return tlv(tag, value)


# ---------------------------------------------------------------- the card

class Card:
    def __init__(self, files, seed, extended=True, remove_in_dg2=False, log=None, t0_quirks=False,
                 fail_first=0):
        self.files = files
        self.fail_first = fail_first        # commands answered 6F00 after each insertion (connection to vpcd)
        self.failures_left = fail_first
        self.kenc, self.kmac = kdf(seed, 1), kdf(seed, 2)
        self.extended = extended
        self.remove_in_dg2 = remove_in_dg2
        self.log = log
        self.apdus = 0
        self.t0_quirks = t0_quirks          # answer data through 61xx + GET RESPONSE, and 6C08 once
        self.wrong_le_sent = False
        self.pending = None
        self.reset()

    def reset(self):
        self.app = False
        self.rnd_icc = None
        self.ks_enc = self.ks_mac = None
        self.ssc = 0
        self.current = None

    def atr(self):
        # T=1; historical bytes 80 73 00 00 xx: card capabilities, C0 = chaining + extended Lc/Le.
        hist = bytes([0x80, 0x73, 0x00, 0x00, 0xC0 if self.extended else 0x00])
        t = bytes([0x3B, 0x90 | len(hist), 0x13, 0x81, 0x01]) + hist
        tck = 0
        for b in t[1:]:
            tck ^= b
        return t + bytes([tck])

    @staticmethod
    def parse(apdu):
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        data, le, ext = b"", None, False
        if len(body) == 1:
            le = body[0] or 256
        elif len(body) >= 3 and body[0] == 0:
            ext = True
            if len(body) == 3:
                le = int.from_bytes(body[1:3], "big") or 65536
            else:
                lc = int.from_bytes(body[1:3], "big")
                data = body[3:3 + lc]
                rest = body[3 + lc:]
                if len(rest) == 2:
                    le = int.from_bytes(rest, "big") or 65536
        elif body:
            lc = body[0]
            data = body[1:1 + lc]
            rest = body[1 + lc:]
            if rest:
                le = rest[0] or 256
        return cla, ins, p1, p2, data, le, ext

    def inserted(self):
        """A new insertion: the card fails its first fail_first commands again."""
        self.failures_left = self.fail_first
        self.reset()

    def handle(self, apdu):
        if self.failures_left > 0:
            self.failures_left -= 1
            if self.log:
                self.log("failing command %s after insertion" % apdu[:4].hex())
            return b"\x6F\x00"
        resp = self.handle_inner(apdu)
        if resp is None or not self.t0_quirks or len(resp) <= 2 or apdu[1] == 0xC0:
            return resp
        self.pending = (resp[:-2], resp[-2:])
        return bytes([0x61, min(len(resp) - 2, 256) & 0xFF])

    def get_response(self, le):
        if self.pending is None:
            return b"\x69\x85"
        data, sw = self.pending
        n = min(le or 256, 256)
        chunk, rest = data[:n], data[n:]
        if rest:
            self.pending = (rest, sw)
            return chunk + bytes([0x61, min(len(rest), 256) & 0xFF])
        self.pending = None
        return chunk + sw

    def handle_inner(self, apdu):
        self.apdus += 1
        if len(apdu) < 4:
            return b"\x67\x00"
        cla, ins, p1, p2, data, le, ext = self.parse(apdu)
        if ext and not self.extended:
            return b"\x67\x00"
        if ins == 0xC0 and cla & 0x0C == 0:
            return self.get_response(le)
        self.pending = None
        if cla & 0x0C == 0x0C:
            if self.ks_enc is None:
                return b"\x69\x82"
            return self.secure(cla, ins, p1, p2, data)
        if self.ks_enc is not None:         # plain command ends the session
            self.ks_enc = self.ks_mac = None
        if ins == 0xA4 and p1 == 0x04:
            if data == AID:
                self.reset()
                self.app = True
                return b"\x90\x00"
            return b"\x6A\x82"
        if not self.app:
            return b"\x69\x85"
        if ins == 0x84:
            if self.t0_quirks and not self.wrong_le_sent:
                self.wrong_le_sent = True
                return b"\x6C\x08"
            self.rnd_icc = os.urandom(8)
            return self.rnd_icc + b"\x90\x00"
        if ins == 0x82:
            return self.mutual_auth(data)
        return b"\x69\x82"                   # BAC is required for everything else

    def mutual_auth(self, data):
        if self.rnd_icc is None or len(data) != 40:
            return b"\x69\x85"
        e, m = data[:32], data[32:]
        if mac3(self.kmac, e) != m:
            self.rnd_icc = None
            return b"\x63\x00"
        s = dec3(self.kenc, e)
        rnd_ifd, rnd_icc, k_ifd = s[:8], s[8:16], s[16:32]
        if rnd_icc != self.rnd_icc:
            self.rnd_icc = None
            return b"\x63\x00"
        k_icc = os.urandom(16)
        r = rnd_icc + rnd_ifd + k_icc
        e_icc = enc3(self.kenc, r)
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_icc))
        self.ks_enc, self.ks_mac = kdf(seed, 1), kdf(seed, 2)
        self.ssc = int.from_bytes(rnd_icc[4:8] + rnd_ifd[4:8], "big")
        self.rnd_icc = None
        return e_icc + mac3(self.kmac, e_icc) + b"\x90\x00"

    def next_ssc(self):
        self.ssc = (self.ssc + 1) % (1 << 64)
        return self.ssc.to_bytes(8, "big")

    def secure(self, cla, ins, p1, p2, data):
        ssc = self.next_ssc()
        try:
            dos = parse_tlvs(data)
        except (ValueError, IndexError):
            return self.sm_abort()
        mac_in, plain, le, got_mac = b"", b"", None, None
        for tag, value, raw in dos:
            if tag == 0x8E:
                got_mac = value
            elif tag in (0x87, 0x85, 0x97):
                mac_in += raw
                if tag == 0x87:
                    plain = unpad(dec3(self.ks_enc, value[1:]))
                elif tag == 0x85:
                    plain = unpad(dec3(self.ks_enc, value))
                else:
                    le = int.from_bytes(value, "big") or (256 if len(value) == 1 else 65536)
        header = pad(bytes([cla, ins, p1, p2]))
        if got_mac is None or mac3(self.ks_mac, ssc + header + mac_in) != got_mac:
            return self.sm_abort()
        rdata, sw = self.process(ins, p1, p2, plain, le)
        if rdata is None:
            return None                       # card removed
        return self.protect(rdata, sw, odd=bool(ins & 1))

    def sm_abort(self):
        self.ks_enc = self.ks_mac = None
        return b"\x69\x88"

    def protect(self, rdata, sw, odd=False):
        ssc = self.next_ssc()
        out = b""
        if rdata:
            c = enc3(self.ks_enc, pad(rdata))
            out += raw_tlv(0x85, c) if odd else raw_tlv(0x87, b"\x01" + c)
        out += raw_tlv(0x99, sw)
        out += raw_tlv(0x8E, mac3(self.ks_mac, ssc + out))
        return out + sw

    def process(self, ins, p1, p2, data, le):
        if ins == 0xA4:
            if p1 != 0x02 or len(data) != 2:
                return b"", b"\x6A\x86"
            fid = int.from_bytes(data, "big")
            if fid not in self.files:
                self.current = None
                return b"", b"\x6A\x82"
            self.current = fid
            return b"", b"\x90\x00"
        if ins in (0xB0, 0xB1):
            if self.current is None:
                return b"", b"\x69\x86"
            if ins == 0xB0:
                if p1 & 0x80:
                    return b"", b"\x6A\x86"
                offset = (p1 << 8) | p2
            else:
                try:
                    (tag, value, _), = parse_tlvs(data)
                except (ValueError, IndexError):
                    return b"", b"\x6A\x80"
                if tag != 0x54:
                    return b"", b"\x6A\x80"
                offset = int.from_bytes(value, "big")
            f = self.files[self.current]
            if self.remove_in_dg2 and self.current == FID_DG2 and offset > 0:
                if self.log:
                    self.log("removing the card in the middle of DG2 (offset %d)" % offset)
                return None, None
            if offset > len(f):
                return b"", b"\x6B\x00"
            n = le if le is not None else 256
            if ins == 0xB1:
                n = max(0, n - 4)            # Le counts the DO'53' header too
            chunk = f[offset:offset + n]
            sw = b"\x90\x00" if len(chunk) == n else b"\x62\x82"
            if ins == 0xB1:
                chunk = raw_tlv(0x53, chunk)
            return chunk, sw
        return b"", b"\x6D\x00"


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        part = sock.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def serve(card, host, port, logf, delay=0.0):
    def log(msg):
        if logf:
            logf.write("%.3f %s\n" % (time.time(), msg))
            logf.flush()
    card.log = log
    sock = None
    for _ in range(100):
        try:
            sock = socket.create_connection((host, port))
            break
        except OSError:
            time.sleep(0.05)
    if sock is None:
        log("cannot connect to vpcd at %s:%d" % (host, port))
        return 2
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    card.inserted()
    log("connected to %s:%d" % (host, port))
    while True:
        hdr = recv_exact(sock, 2)
        if hdr is None:
            log("reader closed the connection")
            return 0
        msg = recv_exact(sock, struct.unpack(">H", hdr)[0])
        if msg is None:
            return 0
        if len(msg) == 1:
            if msg[0] == 0x04:
                atr = card.atr()
                sock.sendall(struct.pack(">H", len(atr)) + atr)
                log("atr")
            elif msg[0] in (0x00, 0x01, 0x02):
                card.reset()
            continue
        resp = card.handle(msg)
        if delay:
            time.sleep(delay)
        if resp is None:
            sock.close()
            return 0
        sock.sendall(struct.pack(">H", len(resp)) + resp)
        log("apdu %s -> %s" % (msg[:4].hex(), resp[-2:].hex()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write com.bin, dg1.bin and dg2.bin")
    b.add_argument("--mrz", required=True)
    b.add_argument("--photo", required=True)
    b.add_argument("--out", required=True)
    s = sub.add_parser("serve", help="connect to vpcd and act as the card")
    s.add_argument("--mrz", required=True)
    s.add_argument("--photo", required=True)
    s.add_argument("--sod", help="EF.SOD file (no EF.SOD when absent)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=35963)
    s.add_argument("--no-extended", action="store_true", help="refuse extended-length APDUs")
    s.add_argument("--tamper-dg2", action="store_true", help="change one byte of DG2 after the SOD was made")
    s.add_argument("--remove-in-dg2", action="store_true", help="disconnect on a DG2 READ BINARY past offset 0")
    s.add_argument("--t0-quirks", action="store_true",
                   help="deliver every answer through 61xx + GET RESPONSE and answer the first GET CHALLENGE 6C08")
    # (An R-APDU of zero bytes is no way to fail: vpcd then blocks pcscd's SCardTransmit for good.)
    s.add_argument("--fail-first", type=int, default=0, metavar="N",
                   help="answer the first N commands after insertion with 6F00, as a chip just put down may")
    s.add_argument("--delay-ms", type=int, default=0, metavar="MS",
                   help="answer each command MS milliseconds late, as a slow chip (a read then lasts seconds)")
    s.add_argument("--log", help="log file")
    a = ap.parse_args()
    files = build_files(a.mrz, a.photo)
    if a.cmd == "build":
        os.makedirs(a.out, exist_ok=True)
        for name, fid in (("com", FID_COM), ("dg1", FID_DG1), ("dg2", FID_DG2)):
            with open(os.path.join(a.out, name + ".bin"), "wb") as f:
                f.write(files[fid])
        return 0
    if a.sod:
        with open(a.sod, "rb") as f:
            files[FID_SOD] = f.read()
    if a.tamper_dg2:
        dg2 = bytearray(files[FID_DG2])
        dg2[len(dg2) // 2] ^= 0x01
        files[FID_DG2] = bytes(dg2)
    card = Card(files, bac_seed_from_mrz(read_mrz(a.mrz)), extended=not a.no_extended,
                remove_in_dg2=a.remove_in_dg2, t0_quirks=a.t0_quirks, fail_first=a.fail_first)
    logf = open(a.log, "a") if a.log else None
    return serve(card, a.host, a.port, logf, a.delay_ms / 1000.0)


if __name__ == "__main__":
    sys.exit(main())
