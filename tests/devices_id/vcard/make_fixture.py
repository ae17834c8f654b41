#!/usr/bin/python3
"""Builds the passport test fixture with the openssl command line.

  make_fixture.py --mrz MRZ.txt --photo FACE.jpg --out DIR

DIR receives: com.bin dg1.bin dg2.bin (as the virtual card serves them), csca/csca.pem (test CSCA),
other_csca/other.pem (an unrelated CSCA), ds.pem/ds.key (document signer), lds.der (LDS security
object, SHA-256 hashes of DG1 and DG2), sod.bin (EF.SOD: tag 77 around CMS SignedData),
sod_badsig.bin (same with one byte of the signature changed), ds_expired.pem/ds_expired.key (a document
signer issued by the test CSCA whose validity ended on 2021-01-01, made with `openssl ca -startdate -enddate`)
and sod_expired_ds.bin (the same security object signed by that expired document signer).
"""
import argparse
import hashlib
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpassport  # noqa: E402  (test-side code only; nothing is shared with the C++ reader)


def run(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit("make_fixture: 'openssl %s' failed:\n%s" % (" ".join(args), r.stderr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mrz", required=True)
    ap.add_argument("--photo", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(os.path.join(out, "csca"), exist_ok=True)
    os.makedirs(os.path.join(out, "other_csca"), exist_ok=True)

    files = vpassport.build_files(a.mrz, a.photo)
    names = {vpassport.FID_COM: "com.bin", vpassport.FID_DG1: "dg1.bin", vpassport.FID_DG2: "dg2.bin"}
    for fid, name in names.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(files[fid])

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "csca.key", "-out", "csca/csca.pem", "-days", "3650",
        "-subj", "/C=UT/O=Utopia Test/CN=Test CSCA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=out)
    run("req", "-x509", *ec, "-keyout", "other.key", "-out", "other_csca/other.pem", "-days", "3650",
        "-subj", "/C=ZZ/O=Elsewhere/CN=Other CSCA", "-addext", "basicConstraints=critical,CA:TRUE", cwd=out)
    run("req", "-new", *ec, "-keyout", "ds.key", "-out", "ds.csr", "-subj", "/C=UT/O=Utopia Test/CN=Test DS",
        cwd=out)
    with open(os.path.join(out, "ds.ext"), "w") as f:
        f.write("keyUsage=critical,digitalSignature\n")
    run("x509", "-req", "-in", "ds.csr", "-CA", "csca/csca.pem", "-CAkey", "csca.key", "-set_serial", "2",
        "-days", "1825", "-extfile", "ds.ext", "-out", "ds.pem", cwd=out)

    # LDSSecurityObject ::= SEQUENCE { version, hashAlgorithm, dataGroupHashValues }
    conf = ["asn1=SEQUENCE:lds", "[lds]", "version=INTEGER:0", "alg=SEQUENCE:alg", "hashes=SEQUENCE:hashes",
            "[alg]", "oid=OID:sha256", "[hashes]"]
    groups = [(1, files[vpassport.FID_DG1]), (2, files[vpassport.FID_DG2])]
    for n, _ in groups:
        conf.append("dg%d=SEQUENCE:dg%d" % (n, n))
    for n, data in groups:
        conf += ["[dg%d]" % n, "n=INTEGER:%d" % n, "h=FORMAT:HEX,OCTETSTRING:" + hashlib.sha256(data).hexdigest()]
    with open(os.path.join(out, "lds.cnf"), "w") as f:
        f.write("\n".join(conf) + "\n")
    run("asn1parse", "-genconf", "lds.cnf", "-out", "lds.der", "-noout", cwd=out)
    run("cms", "-sign", "-binary", "-nodetach", "-nosmimecap", "-in", "lds.der", "-econtent_type",
        "2.23.136.1.1.1", "-signer", "ds.pem", "-inkey", "ds.key", "-md", "sha256", "-outform", "DER",
        "-out", "sod.cms", cwd=out)
    with open(os.path.join(out, "sod.cms"), "rb") as f:
        cms = f.read()
    with open(os.path.join(out, "sod.bin"), "wb") as f:
        f.write(vpassport.tlv(0x77, cms))
    # A document signer whose certificate really expired (valid 2020-01-01 .. 2021-01-01), issued by the test
    # CSCA. `openssl x509 -req` cannot set dates in the past on OpenSSL 3.0; `openssl ca` can.
    os.makedirs(os.path.join(out, "expired_ca"), exist_ok=True)
    with open(os.path.join(out, "expired_ca", "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = test\n[test]\ndatabase = expired_ca/index.txt\nnew_certs_dir = expired_ca\n"
                "serial = expired_ca/serial.txt\n"
                "default_md = sha256\npolicy = any\nunique_subject = no\nx509_extensions = ds_ext\n"
                "[any]\ncountryName = optional\norganizationName = optional\ncommonName = supplied\n"
                "[ds_ext]\nkeyUsage = critical,digitalSignature\n")
    open(os.path.join(out, "expired_ca", "index.txt"), "w").close()
    with open(os.path.join(out, "expired_ca", "serial.txt"), "w") as f:
        f.write("03\n")
    run("req", "-new", *ec, "-keyout", "ds_expired.key", "-out", "ds_expired.csr",
        "-subj", "/C=UT/O=Utopia Test/CN=Test DS expired", cwd=out)
    run("ca", "-batch", "-config", "expired_ca/ca.cnf", "-cert", "csca/csca.pem", "-keyfile", "csca.key",
        "-in", "ds_expired.csr", "-out", "ds_expired.pem", "-notext", "-startdate", "20200101000000Z",
        "-enddate", "20210101000000Z", cwd=out)
    run("cms", "-sign", "-binary", "-nodetach", "-nosmimecap", "-in", "lds.der", "-econtent_type",
        "2.23.136.1.1.1", "-signer", "ds_expired.pem", "-inkey", "ds_expired.key", "-md", "sha256",
        "-outform", "DER", "-out", "sod_expired_ds.cms", cwd=out)
    with open(os.path.join(out, "sod_expired_ds.cms"), "rb") as f:
        expired_cms = f.read()
    with open(os.path.join(out, "sod_expired_ds.bin"), "wb") as f:
        f.write(vpassport.tlv(0x77, expired_cms))

    bad = bytearray(cms)
    bad[-1] ^= 0x01  # the last bytes of SignedData are the signature value
    with open(os.path.join(out, "sod_badsig.bin"), "wb") as f:
        f.write(vpassport.tlv(0x77, bytes(bad)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
