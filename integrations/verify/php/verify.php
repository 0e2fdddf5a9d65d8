<?php
// Verifies the LicenseHub license file inside the product, with the vendor's trust anchor compiled in
// (docs/verify-in-your-product.md). Exit 0 and one line on stdout for a genuine license, 1 and the reason on
// stderr for anything else, 2 for usage errors. PHP's built-in sodium only (Debian: php-cli), no Composer.
//
//   php verify.php --trust trust.json --license /var/lib/lh-agent/license.json --product panel [--machine-id-file /etc/machine-id]
//                  [--feature sso]... [--released 2026-05-14]

declare(strict_types=1);

const LICENSE_TYPES = ['lh-license+jwt', 'lh-offline-license+jwt'];
const CERTIFICATE_TYPE = 'lh-key-certificate+jwt';
const CLOCK_TOLERANCE = 300; // seconds of clock drift between the license server and this machine
const MAX_ENTITLEMENTS = 256;
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z, the latest time a claim may name
const FEATURE_CODE = '/^[a-z0-9][a-z0-9-]{0,63}$/D';

final class NotLicensed extends Exception
{
}

/** Returns [claims, in grace] of a genuine license; throws for anything else. */
function verify_license(array $anchor, array $license, string $product, string $machineId, ?int $now = null): array
{
    $now ??= time();
    if (($license['format'] ?? null) !== 'lh-license/1') {
        throw new NotLicensed('not a LicenseHub license file');
    }
    $token = $license['token'] ?? null;
    if (!is_string($token) || $token === '') {
        $status = $license['status'] ?? null;
        throw new NotLicensed(is_string($status) ? "no license token: the license server answered $status" : 'no license token');
    }
    $tokenType = $license['token_type'] ?? null;
    if (!in_array($tokenType, LICENSE_TYPES, true)) {
        throw new NotLicensed('token_type ' . json_encode($tokenType) . ' is not a license');
    }

    // Step 1: the key that signed the token must carry a certificate (lhc) from a root key of the anchor.
    $kid = jws_header($token)['kid'] ?? null; // only picks the key: nothing counts until it verifies
    $jwk = null;
    foreach ($license['jwks']['keys'] ?? [] as $key) {
        if (is_string($kid) && is_array($key) && ($key['kid'] ?? null) === $kid) {
            $jwk = $key;
            break;
        }
    }
    if ($jwk === null) {
        throw new NotLicensed("the token's key " . json_encode($kid) . ' is not in the license file');
    }
    $publicKey = public_key($jwk);
    $certificate = verify_certificate($anchor, $jwk);

    // Step 2: the token, signed by that key; then its claims.
    [$header, $claims] = verify_jws($token, $publicKey);
    if (($header['typ'] ?? null) !== $tokenType) {
        throw new NotLicensed("the token's typ is not $tokenType");
    }
    foreach (['iss', 'lid', 'prd', 'pln', 'edn', 'fpr'] as $name) {
        if (!is_string($claims[$name] ?? null)) {
            throw new NotLicensed("the token's claim $name is missing or not a string");
        }
    }
    foreach (array_merge(['iat', 'nbf', 'exp', 'grc'], array_key_exists('lex', $claims) ? ['lex'] : []) as $name) {
        if (!is_int($claims[$name] ?? null)) {
            throw new NotLicensed("the token's claim $name is missing or not a whole number");
        }
    }
    // Optional, but when present exactly what they should be: a malformed one refuses the token rather than meaning "none".
    if (array_key_exists('ent', $claims) && !(is_array($claims['ent']) && array_is_list($claims['ent'])
        && count($claims['ent']) <= MAX_ENTITLEMENTS && count(array_filter($claims['ent'], 'is_string')) === count($claims['ent']))) {
        throw new NotLicensed("the token's claim ent is not an array of at most " . MAX_ENTITLEMENTS . ' strings');
    }
    if (array_key_exists('mnt', $claims) && !(is_int($claims['mnt']) && $claims['mnt'] >= 0 && $claims['mnt'] <= MAX_SECONDS)) {
        throw new NotLicensed("the token's claim mnt is not a whole number of seconds in range");
    }
    if ($claims['iat'] < $certificate['iat'] - CLOCK_TOLERANCE || $claims['iat'] > $certificate['exp']) {
        throw new NotLicensed("the token was issued outside the period its key $kid is certified for");
    }
    if ($claims['prd'] !== $product) {
        throw new NotLicensed("the license is for product {$claims['prd']}, not $product");
    }
    if (!hash_equals(fingerprint($license['fingerprint_salt'] ?? null, $machineId), $claims['fpr'])) {
        throw new NotLicensed('the license is bound to another machine');
    }
    if ($claims['nbf'] > $now + CLOCK_TOLERANCE) {
        throw new NotLicensed('the license is not valid before ' . iso($claims['nbf']));
    }
    if (isset($claims['lex']) && $now >= $claims['lex']) {
        throw new NotLicensed('the license ended at ' . iso($claims['lex']));
    }
    if ($now >= $claims['exp'] + $claims['grc']) {
        $grace = $claims['grc'] > 0 ? ', its offline grace at ' . iso($claims['exp'] + $claims['grc']) : '';
        throw new NotLicensed('the license token expired at ' . iso($claims['exp']) . $grace);
    }
    return [$claims, $now >= $claims['exp']];
}

/**
 * What this product needs of a valid license: every feature it requires in ent, and, when the license is perpetual (it
 * has mnt), a release date of this version on or before the end of maintenance. Throws when one is not met.
 *
 * @param string[] $features
 * @param array{0: string, 1: int}|null $released the date as given and the unix seconds of its 00:00 UTC
 */
function check_requirements(array $claims, array $features, ?array $released): void
{
    foreach ($features as $code) {
        if (!in_array($code, $claims['ent'] ?? [], true)) {
            throw new NotLicensed("license has no feature $code");
        }
    }
    if ($released !== null && isset($claims['mnt']) && $released[1] > $claims['mnt']) {
        throw new NotLicensed("this version (released {$released[0]}) is newer than maintenance (until " . gmdate('Y-m-d', $claims['mnt']) . ')');
    }
}

/** The success line; tests match its first part, up to the validity. */
function describe(array $claims, bool $inGrace): string
{
    $until = $inGrace ? 'in offline grace until ' . iso($claims['exp'] + $claims['grc']) : 'valid until ' . iso($claims['exp']);
    $maintenance = isset($claims['mnt']) ? ', maintenance until ' . gmdate('Y-m-d', $claims['mnt']) : '';
    $features = ($claims['ent'] ?? []) !== [] ? ', features ' . implode(',', $claims['ent']) : '';
    return "licensed: product {$claims['prd']}, license {$claims['lid']}, $until$maintenance$features";
}

/** --released YYYY-MM-DD: [the text, the unix seconds of its 00:00 UTC], or null when it is not a calendar date. */
function release_day(string $text): ?array
{
    $day = DateTimeImmutable::createFromFormat('!Y-m-d', $text, new DateTimeZone('UTC'));
    return $day !== false && $day->format('Y-m-d') === $text ? [$text, $day->getTimestamp()] : null;
}

function verify_certificate(array $anchor, array $jwk): array
{
    $kid = json_encode($jwk['kid'] ?? null);
    if (!is_string($jwk['lhc'] ?? null)) {
        throw new NotLicensed("key $kid carries no certificate (lhc)");
    }
    $root = $anchor[jws_header($jwk['lhc'])['kid'] ?? ''] ?? null;
    if ($root === null) {
        throw new NotLicensed("key $kid: its certificate is signed by a key that is not in the trust anchor");
    }
    [$header, $certificate] = verify_jws($jwk['lhc'], $root);
    if (($header['typ'] ?? null) !== CERTIFICATE_TYPE) {
        throw new NotLicensed("key $kid: its certificate is not a " . CERTIFICATE_TYPE);
    }
    if (($certificate['jkt'] ?? null) !== thumbprint($jwk) || ($certificate['kid'] ?? null) !== $jwk['kid']) {
        throw new NotLicensed("key $kid: its certificate is for another key");
    }
    if (!is_int($certificate['iat'] ?? null) || !is_int($certificate['exp'] ?? null)) {
        throw new NotLicensed("key $kid: its certificate has no period");
    }
    return $certificate;
}

/** The decoded header of a compact JWS, unverified. */
function jws_header(string $jws): array
{
    return json_object(b64url_decode(explode('.', $jws)[0]));
}

/** Verifies an EdDSA compact JWS (RFC 7515, RFC 8037) with a raw Ed25519 public key; returns [header, payload]. */
function verify_jws(string $jws, string $publicKey): array
{
    $parts = explode('.', $jws);
    if (count($parts) !== 3) {
        throw new NotLicensed('not a compact JWS');
    }
    [$encodedHeader, $encodedPayload, $encodedSignature] = $parts;
    $header = json_object(b64url_decode($encodedHeader));
    if (($header['alg'] ?? null) !== 'EdDSA') {
        throw new NotLicensed('algorithm ' . json_encode($header['alg'] ?? null) . ' is not accepted, only EdDSA');
    }
    if (array_key_exists('crit', $header)) {
        throw new NotLicensed('critical header extensions are not supported');
    }
    $signature = b64url_decode($encodedSignature);
    if (strlen($signature) !== SODIUM_CRYPTO_SIGN_BYTES
        || !sodium_crypto_sign_verify_detached($signature, "$encodedHeader.$encodedPayload", $publicKey)) {
        throw new NotLicensed('the signature does not verify');
    }
    return [$header, json_object(b64url_decode($encodedPayload))];
}

/** The 32-byte public key of an Ed25519 JWK, from x alone. */
function public_key(array $jwk): string
{
    $x = ($jwk['kty'] ?? null) === 'OKP' && ($jwk['crv'] ?? null) === 'Ed25519' && is_string($jwk['x'] ?? null) ? b64url_decode($jwk['x']) : '';
    if (strlen($x) !== SODIUM_CRYPTO_SIGN_PUBLICKEYBYTES) {
        throw new NotLicensed('key ' . json_encode($jwk['kid'] ?? null) . ' is not an Ed25519 key');
    }
    return $x;
}

/** RFC 7638: SHA-256 over the required members, sorted, without whitespace. */
function thumbprint(array $jwk): string
{
    $members = json_encode(['crv' => $jwk['crv'], 'kty' => $jwk['kty'], 'x' => $jwk['x']], JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    return sodium_bin2base64(hash('sha256', $members, true), SODIUM_BASE64_VARIANT_URLSAFE_NO_PADDING);
}

/** HMAC-SHA256 of the trimmed machine id, keyed by the license's salt, as lower-case hex. */
function fingerprint(mixed $salt, string $machineId): string
{
    $key = is_string($salt) ? b64url_decode($salt) : '';
    if (strlen($key) !== 32) {
        throw new NotLicensed('the license file has no valid fingerprint_salt');
    }
    if (trim($machineId) === '') {
        throw new NotLicensed('the machine id is empty');
    }
    return hash_hmac('sha256', trim($machineId), $key);
}

/** The anchor's root keys: kid => raw Ed25519 public key. */
function read_anchor(string $json): array
{
    $roots = [];
    foreach (json_object($json)['keys'] ?? [] as $key) {
        if (is_array($key) && is_string($key['kid'] ?? null) && in_array($key['alg'] ?? 'EdDSA', ['EdDSA'], true) && ($key['use'] ?? 'sig') === 'sig') {
            $roots[$key['kid']] ??= public_key($key);
        }
    }
    return $roots ?: throw new NotLicensed('the trust anchor holds no Ed25519 key');
}

function b64url_decode(string $text): string
{
    try {
        return sodium_base642bin($text, SODIUM_BASE64_VARIANT_URLSAFE_NO_PADDING);
    } catch (SodiumException) {
        throw new NotLicensed('not base64url');
    }
}

function json_object(string $json): array
{
    $value = json_decode($json, true, 32, JSON_THROW_ON_ERROR);
    return is_array($value) ? $value : throw new NotLicensed('not a JSON object');
}

function iso(int $seconds): string
{
    return gmdate('Y-m-d\TH:i:s\Z', $seconds);
}

function read_file(string $path): string
{
    $text = @file_get_contents($path);
    return $text !== false ? $text : throw new NotLicensed("cannot read $path");
}

$usage = 'usage: php verify.php --trust trust.json --license license.json --product CODE [--machine-id-file PATH] [--feature CODE]... [--released YYYY-MM-DD]';
$options = getopt('', ['trust:', 'license:', 'product:', 'machine-id-file:', 'feature:', 'released:'], $rest);
// --feature may be repeated (getopt then gives an array); every other option only once.
$features = (array) ($options['feature'] ?? []);
unset($options['feature']);
if (!isset($options['trust'], $options['license'], $options['product']) || $rest !== $argc
    || array_filter($options, 'is_array')) {
    fwrite(STDERR, "$usage\n");
    exit(2);
}
foreach ($features as $code) {
    if (!is_string($code) || preg_match(FEATURE_CODE, $code) !== 1) {
        fwrite(STDERR, "$usage\n--feature $code is not a feature code (lower-case letters, digits and dashes)\n");
        exit(2);
    }
}
$released = isset($options['released']) ? release_day($options['released']) : null;
if (isset($options['released']) && $released === null) {
    fwrite(STDERR, "$usage\n--released {$options['released']} is not a date YYYY-MM-DD\n");
    exit(2);
}
try {
    $anchor = read_anchor(read_file($options['trust']));
} catch (Exception $error) {
    fwrite(STDERR, "$usage\ncannot read the trust anchor {$options['trust']}: {$error->getMessage()}\n");
    exit(2);
}

try {
    $license = json_object(read_file($options['license']));
    $machineId = read_file($options['machine-id-file'] ?? '/etc/machine-id');
    [$claims, $inGrace] = verify_license($anchor, $license, $options['product'], $machineId);
    check_requirements($claims, $features, $released);
    $line = describe($claims, $inGrace);
} catch (Throwable $error) { // anything at all, an unreadable file included, means: not licensed
    fwrite(STDERR, "not licensed: {$error->getMessage()}\n");
    exit(1);
}
echo "$line\n";
exit(0);
