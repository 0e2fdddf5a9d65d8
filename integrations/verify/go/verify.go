// Command licensehub-verify checks the LicenseHub license file inside the product, with the vendor's trust
// anchor compiled in (docs/verify-in-your-product.md). Exit 0 and one line on stdout for a genuine license,
// 1 and the reason on stderr for anything else, 2 for usage errors. Standard library only.
//
//	go run . --trust trust.json --license /var/lib/lh-agent/license.json --product panel [--machine-id-file /etc/machine-id]
//	         [--feature sso]... [--released 2026-05-14]
package main

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

const (
	certificateType = "lh-key-certificate+jwt"
	clockTolerance  = 300 // seconds of clock drift between the license server and this machine
	maxEntitlements = 256
	maxSeconds      = 253402300799 // 9999-12-31T23:59:59Z, the latest time a claim may name
)

var featureCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

var licenseTypes = map[string]bool{"lh-license+jwt": true, "lh-offline-license+jwt": true}

// JWK is an Ed25519 public key; Lhc is LicenseHub's key certificate, signed by a root key.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Lhc string `json:"lhc,omitempty"`
}

// LicenseFile is what lh-agent writes to /var/lib/lh-agent/license.json.
type LicenseFile struct {
	Format    string `json:"format"`
	Token     string `json:"token"`
	TokenType string `json:"token_type"`
	Jwks      struct {
		Keys []JWK `json:"keys"`
	} `json:"jwks"`
	FingerprintSalt string `json:"fingerprint_salt"`
	Status          string `json:"status"`
}

// Claims of a license token.
type Claims struct {
	Issuer         string   `json:"iss"`
	LicenseID      string   `json:"lid"`
	InstallationID string   `json:"iid"`
	Product        string   `json:"prd"`
	Plan           string   `json:"pln"`
	Edition        string   `json:"edn"`
	Fingerprint    string   `json:"fpr"`
	IssuedAt       int64    `json:"iat"`
	NotBefore      int64    `json:"nbf"`
	ExpiresAt      int64    `json:"exp"`
	Grace          int64    `json:"grc"`
	LicenseEnd     *int64   `json:"lex"`
	Entitlements   []string `json:"ent"`
	Maintenance    *int64   `json:"mnt"`
}

type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

type certificate struct {
	Jkt string `json:"jkt"`
	Kid string `json:"kid"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
}

// VerifyLicense returns the claims of a genuine license and whether it is in its offline grace.
func VerifyLicense(anchor map[string]ed25519.PublicKey, license LicenseFile, product, machineID string, now int64) (*Claims, bool, error) {
	if license.Format != "lh-license/1" {
		return nil, false, errors.New("not a LicenseHub license file")
	}
	if license.Token == "" {
		if license.Status != "" {
			return nil, false, fmt.Errorf("no license token: the license server answered %s", license.Status)
		}
		return nil, false, errors.New("no license token")
	}
	if !licenseTypes[license.TokenType] {
		return nil, false, fmt.Errorf("token_type %q is not a license", license.TokenType)
	}

	// Step 1: the key that signed the token must carry a certificate (lhc) from a root key of the anchor.
	var unverified header // only picks the key: nothing counts until it verifies
	if err := decodePart(strings.Split(license.Token, ".")[0], &unverified); err != nil {
		return nil, false, err
	}
	var key *JWK
	for i := range license.Jwks.Keys {
		if unverified.Kid != "" && license.Jwks.Keys[i].Kid == unverified.Kid {
			key = &license.Jwks.Keys[i]
			break
		}
	}
	if key == nil {
		return nil, false, fmt.Errorf("the token's key %q is not in the license file", unverified.Kid)
	}
	publicKey, err := publicKeyOf(*key)
	if err != nil {
		return nil, false, err
	}
	cert, err := verifyCertificate(anchor, *key)
	if err != nil {
		return nil, false, err
	}

	// Step 2: the token, signed by that key; then its claims.
	var hdr header
	var claims Claims
	if err := verifyJWS(license.Token, publicKey, &hdr, &claims, "iss", "lid", "prd", "pln", "edn", "fpr", "iat", "nbf", "exp", "grc"); err != nil {
		return nil, false, err
	}
	if err := checkOptionalClaims(license.Token, &claims); err != nil {
		return nil, false, err
	}
	switch {
	case hdr.Typ != license.TokenType:
		return nil, false, fmt.Errorf("the token's typ %q is not %s", hdr.Typ, license.TokenType)
	case claims.IssuedAt < cert.Iat-clockTolerance || claims.IssuedAt > cert.Exp:
		return nil, false, fmt.Errorf("the token was issued outside the period its key %s is certified for", key.Kid)
	case claims.Product != product:
		return nil, false, fmt.Errorf("the license is for product %s, not %s", claims.Product, product)
	}
	fingerprint, err := fingerprintOf(license.FingerprintSalt, machineID)
	if err != nil {
		return nil, false, err
	}
	switch {
	case !hmac.Equal([]byte(claims.Fingerprint), []byte(fingerprint)):
		return nil, false, errors.New("the license is bound to another machine")
	case claims.NotBefore > now+clockTolerance:
		return nil, false, fmt.Errorf("the license is not valid before %s", iso(claims.NotBefore))
	case claims.LicenseEnd != nil && now >= *claims.LicenseEnd:
		return nil, false, fmt.Errorf("the license ended at %s", iso(*claims.LicenseEnd))
	case now >= claims.ExpiresAt+claims.Grace:
		return nil, false, fmt.Errorf("the license token expired at %s (offline grace: %d s)", iso(claims.ExpiresAt), claims.Grace)
	}
	return &claims, now >= claims.ExpiresAt, nil
}

// checkOptionalClaims refuses optional claims that are present but not what they should be (null included, which
// json.Unmarshal would read as absent): a malformed one refuses the token rather than meaning "none".
func checkOptionalClaims(token string, claims *Claims) error {
	var present map[string]json.RawMessage
	if err := decodePart(strings.Split(token, ".")[1], &present); err != nil {
		return err
	}
	for _, name := range []string{"lex", "ent", "mnt"} {
		if value, ok := present[name]; ok && string(value) == "null" {
			return fmt.Errorf("the claim %s is null", name)
		}
	}
	if len(claims.Entitlements) > maxEntitlements {
		return fmt.Errorf("the claim ent is not an array of at most %d strings", maxEntitlements)
	}
	if claims.Maintenance != nil && (*claims.Maintenance < 0 || *claims.Maintenance > maxSeconds) {
		return errors.New("the claim mnt is not a whole number of seconds in range")
	}
	return nil
}

// CheckRequirements is what this product needs of a valid license: every feature it requires in ent, and, when the
// license is perpetual (it has mnt), a release date of this version (00:00 UTC) on or before the end of maintenance.
func CheckRequirements(claims *Claims, features []string, released *time.Time) error {
	for _, code := range features {
		if !contains(claims.Entitlements, code) {
			return fmt.Errorf("license has no feature %s", code)
		}
	}
	if released != nil && claims.Maintenance != nil && released.Unix() > *claims.Maintenance {
		return fmt.Errorf("this version (released %s) is newer than maintenance (until %s)", released.Format("2006-01-02"), day(*claims.Maintenance))
	}
	return nil
}

func contains(values []string, value string) bool {
	for _, v := range values {
		if v == value {
			return true
		}
	}
	return false
}

// describe is the success line; tests match its first part, up to the validity.
func describe(claims *Claims, inGrace bool) string {
	until := "valid until " + iso(claims.ExpiresAt)
	if inGrace {
		until = "in offline grace until " + iso(claims.ExpiresAt+claims.Grace)
	}
	line := fmt.Sprintf("licensed: product %s, license %s, %s", claims.Product, claims.LicenseID, until)
	if claims.Maintenance != nil {
		line += ", maintenance until " + day(*claims.Maintenance)
	}
	if len(claims.Entitlements) > 0 {
		line += ", features " + strings.Join(claims.Entitlements, ",")
	}
	return line
}

// features collects the repeated --feature flag.
type features []string

func (f *features) String() string { return strings.Join(*f, ",") }

func (f *features) Set(code string) error {
	if !featureCode.MatchString(code) {
		return fmt.Errorf("%q is not a feature code (lower-case letters, digits and dashes)", code)
	}
	*f = append(*f, code)
	return nil
}

func verifyCertificate(anchor map[string]ed25519.PublicKey, key JWK) (*certificate, error) {
	if key.Lhc == "" {
		return nil, fmt.Errorf("key %s carries no certificate (lhc)", key.Kid)
	}
	var unverified header
	if err := decodePart(strings.Split(key.Lhc, ".")[0], &unverified); err != nil {
		return nil, fmt.Errorf("key %s: its certificate is unreadable", key.Kid)
	}
	root, ok := anchor[unverified.Kid]
	if !ok {
		return nil, fmt.Errorf("key %s: its certificate is signed by a key that is not in the trust anchor", key.Kid)
	}
	var hdr header
	var cert certificate
	if err := verifyJWS(key.Lhc, root, &hdr, &cert, "jkt", "kid", "iat", "exp"); err != nil {
		return nil, fmt.Errorf("key %s: its certificate does not verify against the trust anchor (%v)", key.Kid, err)
	}
	if hdr.Typ != certificateType {
		return nil, fmt.Errorf("key %s: its certificate is not a %s", key.Kid, certificateType)
	}
	if cert.Jkt != thumbprint(key) || cert.Kid != key.Kid {
		return nil, fmt.Errorf("key %s: its certificate is for another key", key.Kid)
	}
	return &cert, nil
}

// verifyJWS checks an EdDSA compact JWS (RFC 7515, RFC 8037) and decodes its header and payload, which must
// have the required members.
func verifyJWS(jws string, publicKey ed25519.PublicKey, hdr *header, payload any, required ...string) error {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return errors.New("not a compact JWS")
	}
	if err := decodePart(parts[0], hdr); err != nil {
		return err
	}
	if hdr.Alg != "EdDSA" {
		return fmt.Errorf("algorithm %q is not accepted, only EdDSA", hdr.Alg)
	}
	if hdr.Crit != nil {
		return errors.New("critical header extensions are not supported")
	}
	signature, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !ed25519.Verify(publicKey, []byte(parts[0]+"."+parts[1]), signature) {
		return errors.New("the signature does not verify")
	}
	var present map[string]json.RawMessage
	if err := decodePart(parts[1], &present); err != nil {
		return err
	}
	for _, name := range required {
		if value, ok := present[name]; !ok || string(value) == "null" {
			return fmt.Errorf("the claim %s is missing", name)
		}
	}
	return decodePart(parts[1], payload)
}

func decodePart(part string, into any) error {
	bytes, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(bytes, into); err != nil {
		return fmt.Errorf("not the expected JSON: %v", err)
	}
	return nil
}

// publicKeyOf reads an Ed25519 JWK, from x alone.
func publicKeyOf(key JWK) (ed25519.PublicKey, error) {
	x, err := base64.RawURLEncoding.DecodeString(key.X)
	if key.Kty != "OKP" || key.Crv != "Ed25519" || err != nil || len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("key %s is not an Ed25519 key", key.Kid)
	}
	return x, nil
}

// thumbprint is RFC 7638: SHA-256 over the required members, sorted, without whitespace.
func thumbprint(key JWK) string {
	members, _ := json.Marshal(struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
	}{key.Crv, key.Kty, key.X})
	sum := sha256.Sum256(members)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// fingerprintOf is HMAC-SHA256 of the trimmed machine id, keyed by the license's salt, as lower-case hex.
func fingerprintOf(salt, machineID string) (string, error) {
	key, err := base64.RawURLEncoding.DecodeString(salt)
	if err != nil || len(key) != 32 {
		return "", errors.New("the license file has no valid fingerprint_salt")
	}
	if strings.TrimSpace(machineID) == "" {
		return "", errors.New("the machine id is empty")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(strings.TrimSpace(machineID)))
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// readAnchor returns the anchor's root keys by kid.
func readAnchor(path string) (map[string]ed25519.PublicKey, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var set struct {
		Keys []JWK `json:"keys"`
	}
	if err := json.Unmarshal(text, &set); err != nil {
		return nil, err
	}
	roots := map[string]ed25519.PublicKey{}
	for _, key := range set.Keys {
		if publicKey, err := publicKeyOf(key); err == nil && key.Kid != "" && roots[key.Kid] == nil &&
			(key.Alg == "" || key.Alg == "EdDSA") && (key.Use == "" || key.Use == "sig") {
			roots[key.Kid] = publicKey
		}
	}
	if len(roots) == 0 {
		return nil, errors.New("it holds no Ed25519 key")
	}
	return roots, nil
}

func iso(seconds int64) string { return time.Unix(seconds, 0).UTC().Format("2006-01-02T15:04:05Z") }

func day(seconds int64) string { return time.Unix(seconds, 0).UTC().Format("2006-01-02") }

func main() {
	trust := flag.String("trust", "", "the vendor's trust anchor (JWKS of the root keys)")
	licensePath := flag.String("license", "", "the license file lh-agent writes")
	product := flag.String("product", "", "the product code this program is")
	machineIDFile := flag.String("machine-id-file", "/etc/machine-id", "the machine id")
	var required features
	flag.Var(&required, "feature", "a feature `CODE` this product requires (the token's ent must name it); repeat for several")
	releasedText := flag.String("released", "", "this version's release date `YYYY-MM-DD`: a perpetual license must have maintenance (mnt) until then")
	flag.Parse() // exits 2 on unknown flags and on a --feature that is not a feature code
	usage := "usage: licensehub-verify --trust trust.json --license license.json --product CODE [--machine-id-file PATH] [--feature CODE]... [--released YYYY-MM-DD]"
	if *trust == "" || *licensePath == "" || *product == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var released *time.Time
	if *releasedText != "" {
		day, err := time.Parse("2006-01-02", *releasedText) // strict: four-digit year, two-digit month and day, a real date; UTC
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s\n--released %s is not a date YYYY-MM-DD\n", usage, *releasedText)
			os.Exit(2)
		}
		released = &day
	}
	anchor, err := readAnchor(*trust)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot read the trust anchor %s: %v\n", *trust, err)
		os.Exit(2)
	}

	claims, inGrace, err := verify(anchor, *licensePath, *machineIDFile, *product)
	if err == nil {
		err = CheckRequirements(claims, required, released)
	}
	if err != nil { // anything at all, an unreadable file included, means: not licensed
		fmt.Fprintf(os.Stderr, "not licensed: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(describe(claims, inGrace))
}

func verify(anchor map[string]ed25519.PublicKey, licensePath, machineIDFile, product string) (*Claims, bool, error) {
	text, err := os.ReadFile(licensePath)
	if err != nil {
		return nil, false, err
	}
	var license LicenseFile
	if err := json.Unmarshal(text, &license); err != nil {
		return nil, false, fmt.Errorf("the license file is unreadable: %v", err)
	}
	machineID, err := os.ReadFile(machineIDFile)
	if err != nil {
		return nil, false, err
	}
	return VerifyLicense(anchor, license, product, string(machineID), time.Now().Unix())
}
