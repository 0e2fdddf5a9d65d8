#!/usr/bin/python3
"""Verifies the LicenseHub license file inside the product, with the vendor's trust anchor compiled in
(docs/verify-in-your-product.md). Exit 0 and one line on stdout for a genuine license, 1 and the reason on
stderr for anything else, 2 for usage errors. Needs PyJWT with cryptography (Debian: python3-jwt).

  python3 verify.py --trust trust.json --license /var/lib/lh-agent/license.json --product panel [--machine-id-file /etc/machine-id]
                    [--feature sso]... [--released 2026-05-14]
"""
import argparse
import base64
import calendar
import hashlib
import hmac
import json
import re
import sys
import time
from datetime import datetime, timezone

import jwt

LICENSE_TYPES = ("lh-license+jwt", "lh-offline-license+jwt")
CERTIFICATE_TYPE = "lh-key-certificate+jwt"
CLOCK_TOLERANCE = 300  # seconds of clock drift between the license server and this machine
MAX_ENTITLEMENTS = 256
MAX_SECONDS = 253402300799  # 9999-12-31T23:59:59Z, the latest time a claim may name
FEATURE_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class NotLicensed(Exception):
    pass


def verify_license(anchor, license, product, machine_id):
    """The claims of a genuine license and whether it is in its offline grace; raises for anything else."""
    now = int(time.time())
    if not isinstance(license, dict) or license.get("format") != "lh-license/1":
        raise NotLicensed("not a LicenseHub license file")
    if not license.get("token"):
        status = license.get("status")
        raise NotLicensed(f"no license token: the license server answered {status}" if status else "no license token")
    token, token_type = license["token"], license.get("token_type")
    if token_type not in LICENSE_TYPES:
        raise NotLicensed(f"token_type {token_type} is not a license")

    # Step 1: the key that signed the token must carry a certificate (lhc) from a root key of the anchor.
    kid = jwt.get_unverified_header(token).get("kid")  # only picks the key: nothing counts until it verifies
    jwk = next((k for k in license.get("jwks", {}).get("keys", []) if isinstance(kid, str) and k.get("kid") == kid), None)
    if jwk is None:
        raise NotLicensed(f"the token's key {kid} is not in the license file")
    certificate = verify_certificate(anchor, jwk)

    # Step 2: the token, signed by that key. PyJWT checks nbf (with the tolerance); exp is checked below,
    # because a token past exp is still valid in its offline grace.
    key = public_key(jwk)
    claims = jwt.decode(token, key, algorithms=["EdDSA"], leeway=CLOCK_TOLERANCE,
                        options={"verify_exp": False, "require": ["iss", "lid", "prd", "pln", "edn", "fpr", "iat", "nbf", "exp", "grc"]})
    header = jwt.get_unverified_header(token)  # the header is signed: verified by now
    # RFC 7515 4.1.11: a header naming extensions in crit must be refused by whoever does not know them; not
    # every PyJWT version does that itself, so it is checked here.
    if "crit" in header:
        raise NotLicensed("the token's header names critical extensions this verifier does not know")
    typ = header.get("typ")
    if typ != token_type:
        raise NotLicensed(f"the token's typ {typ} is not {token_type}")
    check_types(claims)
    if not certificate["iat"] - CLOCK_TOLERANCE <= claims["iat"] <= certificate["exp"]:
        raise NotLicensed(f"the token was issued outside the period its key {kid} is certified for")
    if claims["prd"] != product:
        raise NotLicensed(f"the license is for product {claims['prd']}, not {product}")
    if not hmac.compare_digest(claims["fpr"], fingerprint(license.get("fingerprint_salt"), machine_id)):
        raise NotLicensed("the license is bound to another machine")
    if "lex" in claims and now >= claims["lex"]:
        raise NotLicensed(f"the license ended at {iso(claims['lex'])}")
    if now >= claims["exp"] + claims["grc"]:
        grace = f", its offline grace at {iso(claims['exp'] + claims['grc'])}" if claims["grc"] > 0 else ""
        raise NotLicensed(f"the license token expired at {iso(claims['exp'])}{grace}")
    return claims, now >= claims["exp"]


def check_requirements(claims, features, released):
    """What this product needs of a valid license: every feature it requires in ent, and, when the license is perpetual
    (it has mnt), a release date of this version on or before the end of maintenance. Raises when one is not met."""
    for code in features:
        if code not in claims.get("ent", []):
            raise NotLicensed(f"license has no feature {code}")
    if released is not None and "mnt" in claims and released[1] > claims["mnt"]:
        raise NotLicensed(f"this version (released {released[0]}) is newer than maintenance (until {day(claims['mnt'])})")


def verify_certificate(anchor, jwk):
    if not isinstance(jwk.get("lhc"), str):
        raise NotLicensed(f"key {jwk.get('kid')} carries no certificate (lhc)")
    try:
        root = anchor[jwt.get_unverified_header(jwk["lhc"]).get("kid")]
        certificate = jwt.decode(jwk["lhc"], root.key, algorithms=["EdDSA"],
                                 options={"verify_exp": False, "verify_iat": False, "require": ["jkt", "kid", "iat", "exp"]})
    except (KeyError, jwt.PyJWTError) as error:
        raise NotLicensed(f"key {jwk.get('kid')}: its certificate does not verify against the trust anchor ({error})")
    if "crit" in jwt.get_unverified_header(jwk["lhc"]):
        raise NotLicensed(f"key {jwk.get('kid')}: its certificate names critical extensions this verifier does not know")
    if jwt.get_unverified_header(jwk["lhc"]).get("typ") != CERTIFICATE_TYPE:
        raise NotLicensed(f"key {jwk.get('kid')}: its certificate is not a {CERTIFICATE_TYPE}")
    if certificate["jkt"] != thumbprint(jwk) or certificate["kid"] != jwk.get("kid"):
        raise NotLicensed(f"key {jwk.get('kid')}: its certificate is for another key")
    if not all(is_int(certificate[name]) for name in ("iat", "exp")):
        raise NotLicensed(f"key {jwk.get('kid')}: its certificate has no period")
    return certificate


def public_key(jwk):
    """The public key from x alone: PyJWT would load a private key from a 'd' member and ignore x."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise NotLicensed(f"key {jwk.get('kid')} is not an Ed25519 key")
    return jwt.PyJWK({"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]}, "EdDSA").key


def thumbprint(jwk):
    """RFC 7638: SHA-256 over the required members, sorted, without whitespace."""
    members = json.dumps({"crv": jwk.get("crv"), "kty": jwk.get("kty"), "x": jwk.get("x")}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(members.encode()).digest())


def fingerprint(salt, machine_id):
    """HMAC-SHA256 of the trimmed machine id, keyed by the license's salt, as lower-case hex."""
    try:
        key = base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4))
    except (TypeError, ValueError):
        key = b""
    if len(key) != 32:
        raise NotLicensed("the license file has no valid fingerprint_salt")
    if not machine_id.strip():
        raise NotLicensed("the machine id is empty")
    return hmac.new(key, machine_id.strip().encode(), hashlib.sha256).hexdigest()


def check_types(claims):
    for name in ("iss", "lid", "prd", "pln", "edn", "fpr"):
        if not isinstance(claims[name], str):
            raise NotLicensed(f"the token's claim {name} is not a string")
    for name in ("iat", "nbf", "exp", "grc") + (("lex",) if "lex" in claims else ()):
        if not is_int(claims[name]):
            raise NotLicensed(f"the token's claim {name} is not a whole number")
    # Optional, but when present exactly what they should be: a malformed one refuses the token rather than meaning "none".
    if "ent" in claims and not (isinstance(claims["ent"], list) and len(claims["ent"]) <= MAX_ENTITLEMENTS
                                and all(isinstance(code, str) for code in claims["ent"])):
        raise NotLicensed(f"the token's claim ent is not an array of at most {MAX_ENTITLEMENTS} strings")
    if "mnt" in claims and not (is_int(claims["mnt"]) and 0 <= claims["mnt"] <= MAX_SECONDS):
        raise NotLicensed("the token's claim mnt is not a whole number of seconds in range")


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def iso(seconds):
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(seconds):
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d")


def release_day(text):
    """--released YYYY-MM-DD: the text and the unix seconds of its 00:00 UTC."""
    try:
        if not DAY.fullmatch(text):
            raise ValueError
        return text, calendar.timegm(datetime.strptime(text, "%Y-%m-%d").timetuple())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a date YYYY-MM-DD")


def feature_code(text):
    if not FEATURE_CODE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text} is not a feature code (lower-case letters, digits and dashes)")
    return text


def describe(claims, in_grace):
    """The success line; tests match its first part, up to the validity."""
    until = f"in offline grace until {iso(claims['exp'] + claims['grc'])}" if in_grace else f"valid until {iso(claims['exp'])}"
    maintenance = f", maintenance until {day(claims['mnt'])}" if "mnt" in claims else ""
    features = f", features {','.join(claims['ent'])}" if claims.get("ent") else ""
    return f"licensed: product {claims['prd']}, license {claims['lid']}, {until}{maintenance}{features}"


def main():
    parser = argparse.ArgumentParser(description="Verify a LicenseHub license file.")
    parser.add_argument("--trust", required=True, help="the vendor's trust anchor (JWKS of the root keys)")
    parser.add_argument("--license", required=True, help="the license file lh-agent writes")
    parser.add_argument("--product", required=True, help="the product code this program is")
    parser.add_argument("--machine-id-file", default="/etc/machine-id")
    parser.add_argument("--feature", action="append", default=[], type=feature_code, metavar="CODE",
                        help="a feature this product requires (the token's ent must name it); repeat for several")
    parser.add_argument("--released", type=release_day, metavar="YYYY-MM-DD",
                        help="this version's release date: a perpetual license must have maintenance (mnt) until then")
    args = parser.parse_args()  # exits 2 on usage errors
    try:
        with open(args.trust, encoding="utf-8") as file:
            anchor = jwt.PyJWKSet.from_dict(json.load(file))
    except (OSError, ValueError, AttributeError, jwt.PyJWTError) as error:
        parser.error(f"cannot read the trust anchor {args.trust}: {error}")

    try:
        with open(args.license, encoding="utf-8") as file:
            license = json.load(file)
        with open(args.machine_id_file, encoding="utf-8") as file:
            machine_id = file.read()
        claims, in_grace = verify_license(anchor, license, args.product, machine_id)
        check_requirements(claims, args.feature, args.released)
        line = describe(claims, in_grace)
    except Exception as error:  # anything at all, an unreadable file included, means: not licensed
        print(f"not licensed: {error}", file=sys.stderr)
        return 1
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
