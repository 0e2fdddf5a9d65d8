#!/usr/bin/env node
// Verifies the LicenseHub license file inside the product, with the vendor's trust anchor compiled in
// (docs/verify-in-your-product.md). Exit 0 and one line on stdout for a genuine license, 1 and the reason on
// stderr for anything else, 2 for usage errors.
//
//   node verify.mjs --trust trust.json --license /var/lib/lh-agent/license.json --product panel [--machine-id-file /etc/machine-id]
//                   [--feature sso]... [--released 2026-05-14]

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, decodeProtectedHeader, importJWK } from 'jose';

const LICENSE_TYPES = ['lh-license+jwt', 'lh-offline-license+jwt'];
const CERTIFICATE_TYPE = 'lh-key-certificate+jwt';
const CLOCK_TOLERANCE = 300; // seconds of clock drift between the license server and this machine
const MAX_ENTITLEMENTS = 256;
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z, the latest time a claim may name
const FEATURE_CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

class NotLicensed extends Error {}

/** The claims of a genuine license and whether it is in its offline grace; throws for anything else. */
async function verifyLicense(anchor, license, product, machineId, now = Math.floor(Date.now() / 1000)) {
  if (license?.format !== 'lh-license/1') throw new NotLicensed('not a LicenseHub license file');
  if (!license.token) {
    throw new NotLicensed(license.status ? `no license token: the license server answered ${license.status}` : 'no license token');
  }
  if (!LICENSE_TYPES.includes(license.token_type)) throw new NotLicensed(`token_type ${license.token_type} is not a license`);

  // Step 1: the key that signed the token must carry a certificate (lhc) from a root key of the anchor.
  const { kid } = decodeProtectedHeader(license.token); // only picks the key: nothing counts until it verifies
  const jwk = license.jwks?.keys?.find((key) => typeof kid === 'string' && key.kid === kid);
  if (!jwk) throw new NotLicensed(`the token's key ${kid} is not in the license file`);
  const certificate = await verifyCertificate(anchor, jwk);

  // Step 2: the token, signed by that key; then its claims.
  const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'EdDSA');
  const { payload, protectedHeader } = await compactVerify(license.token, key, { algorithms: ['EdDSA'] });
  if (protectedHeader.typ !== license.token_type) throw new NotLicensed(`the token's typ ${protectedHeader.typ} is not ${license.token_type}`);
  const claims = readClaims(payload);
  if (claims.iat < certificate.iat - CLOCK_TOLERANCE || claims.iat > certificate.exp) {
    throw new NotLicensed(`the token was issued outside the period its key ${kid} is certified for`);
  }
  if (claims.prd !== product) throw new NotLicensed(`the license is for product ${claims.prd}, not ${product}`);
  if (claims.fpr !== fingerprint(license.fingerprint_salt, machineId)) throw new NotLicensed('the license is bound to another machine');
  if (claims.nbf > now + CLOCK_TOLERANCE) throw new NotLicensed(`the license is not valid before ${iso(claims.nbf)}`);
  if (claims.lex !== undefined && now >= claims.lex) throw new NotLicensed(`the license ended at ${iso(claims.lex)}`);
  if (now >= claims.exp + claims.grc) {
    throw new NotLicensed(`the license token expired at ${iso(claims.exp)}` + (claims.grc > 0 ? `, its offline grace at ${iso(claims.exp + claims.grc)}` : ''));
  }
  return { claims, inGrace: now >= claims.exp };
}

/**
 * What this product needs of a valid license: every feature it requires in `ent`, and, when the license is perpetual
 * (it has mnt), a release date of this version on or before the end of maintenance. Throws when one is not met.
 */
function checkRequirements(claims, features, releasedOn) {
  for (const code of features) {
    if (!(claims.ent ?? []).includes(code)) throw new NotLicensed(`license has no feature ${code}`);
  }
  if (releasedOn !== undefined && claims.mnt !== undefined && releasedOn.seconds > claims.mnt) {
    throw new NotLicensed(`this version (released ${releasedOn.text}) is newer than maintenance (until ${day(claims.mnt)})`);
  }
}

async function verifyCertificate(anchor, jwk) {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new NotLicensed(`key ${jwk.kid} is not an Ed25519 key`);
  if (typeof jwk.lhc !== 'string') throw new NotLicensed(`key ${jwk.kid} carries no certificate (lhc)`);
  let verified;
  try {
    verified = await compactVerify(jwk.lhc, anchor, { algorithms: ['EdDSA'] }); // the anchor picks the root by the header's kid
  } catch (error) {
    throw new NotLicensed(`key ${jwk.kid}: its certificate does not verify against the trust anchor (${error.message})`);
  }
  const certificate = JSON.parse(new TextDecoder().decode(verified.payload));
  if (verified.protectedHeader.typ !== CERTIFICATE_TYPE) throw new NotLicensed(`key ${jwk.kid}: its certificate is not a ${CERTIFICATE_TYPE}`);
  if (certificate.jkt !== (await calculateJwkThumbprint(jwk, 'sha256')) || certificate.kid !== jwk.kid) {
    throw new NotLicensed(`key ${jwk.kid}: its certificate is for another key`);
  }
  if (!Number.isInteger(certificate.iat) || !Number.isInteger(certificate.exp)) throw new NotLicensed(`key ${jwk.kid}: its certificate has no period`);
  return certificate;
}

function readClaims(payload) {
  const claims = JSON.parse(new TextDecoder().decode(payload));
  for (const name of ['iss', 'lid', 'prd', 'pln', 'edn', 'fpr']) {
    if (typeof claims[name] !== 'string') throw new NotLicensed(`the token's claim ${name} is missing or not a string`);
  }
  for (const name of ['iat', 'nbf', 'exp', 'grc', ...('lex' in claims ? ['lex'] : [])]) {
    if (!Number.isInteger(claims[name])) throw new NotLicensed(`the token's claim ${name} is missing or not a whole number`);
  }
  // Optional, but when present exactly what they should be: a malformed one refuses the token rather than meaning "none".
  if ('ent' in claims && !(Array.isArray(claims.ent) && claims.ent.length <= MAX_ENTITLEMENTS && claims.ent.every((code) => typeof code === 'string'))) {
    throw new NotLicensed(`the token's claim ent is not an array of at most ${MAX_ENTITLEMENTS} strings`);
  }
  if ('mnt' in claims && !(Number.isInteger(claims.mnt) && claims.mnt >= 0 && claims.mnt <= MAX_SECONDS)) {
    throw new NotLicensed("the token's claim mnt is not a whole number of seconds in range");
  }
  return claims;
}

/** HMAC-SHA256 of the trimmed machine id, keyed by the license's salt, as lower-case hex. */
function fingerprint(salt, machineId) {
  const key = Buffer.from(salt ?? '', 'base64url');
  if (key.length !== 32) throw new NotLicensed('the license file has no valid fingerprint_salt');
  if (!machineId.trim()) throw new NotLicensed('the machine id is empty');
  return createHmac('sha256', key).update(machineId.trim(), 'utf8').digest('hex');
}

const iso = (seconds) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const day = (seconds) => iso(seconds).slice(0, 10);

/** A release date YYYY-MM-DD as the unix seconds of its 00:00 UTC, or undefined when it is not a calendar date. */
function parseDay(text) {
  const match = DAY.exec(text);
  if (!match) return undefined;
  const seconds = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / 1000;
  return day(seconds) === text ? { text, seconds } : undefined;
}

/** The success line; tests match its first part, up to the validity. */
function describe(claims, inGrace) {
  const until = inGrace ? `in offline grace until ${iso(claims.exp + claims.grc)}` : `valid until ${iso(claims.exp)}`;
  const maintenance = claims.mnt !== undefined ? `, maintenance until ${day(claims.mnt)}` : '';
  const features = claims.ent?.length ? `, features ${claims.ent.join(',')}` : '';
  return `licensed: product ${claims.prd}, license ${claims.lid}, ${until}${maintenance}${features}`;
}

async function main() {
  const usage = 'usage: node verify.mjs --trust trust.json --license license.json --product CODE [--machine-id-file PATH] [--feature CODE]... [--released YYYY-MM-DD]';
  let options, anchor, releasedOn;
  try {
    ({ values: options } = parseArgs({
      options: {
        trust: { type: 'string' },
        license: { type: 'string' },
        product: { type: 'string' },
        'machine-id-file': { type: 'string', default: '/etc/machine-id' },
        feature: { type: 'string', multiple: true, default: [] },
        released: { type: 'string' },
      },
    }));
    if (!options.trust || !options.license || !options.product) throw new Error('--trust, --license and --product are required');
    const badCode = options.feature.find((code) => !FEATURE_CODE.test(code));
    if (badCode !== undefined) throw new Error(`--feature ${badCode} is not a feature code (lower-case letters, digits and dashes)`);
    if (options.released !== undefined && !(releasedOn = parseDay(options.released))) {
      throw new Error(`--released ${options.released} is not a date YYYY-MM-DD`);
    }
    anchor = createLocalJWKSet(JSON.parse(readFileSync(options.trust, 'utf8')));
  } catch (error) {
    console.error(`${usage}\n${error.message}`);
    return 2;
  }

  try {
    const license = JSON.parse(readFileSync(options.license, 'utf8'));
    const machineId = readFileSync(options['machine-id-file'], 'utf8');
    const { claims, inGrace } = await verifyLicense(anchor, license, options.product, machineId);
    checkRequirements(claims, options.feature, releasedOn);
    console.log(describe(claims, inGrace));
    return 0;
  } catch (error) {
    // Anything at all, an unreadable file included, means: not licensed.
    console.error(`not licensed: ${error.message}`);
    return 1;
  }
}

process.exitCode = await main();
