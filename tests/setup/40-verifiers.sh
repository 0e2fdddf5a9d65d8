# The examples of integrations/verify/ (tests/LicenseHub.EndToEnd.Tests/VerifierExamplesTests.cs) run with the tools a
# vendor would use: Debian's php-cli (its built-in sodium), golang-go (standard library only), python3-jwt with
# python3-cryptography, Node with the jose that package-lock.json pins (npm ci), and the C# example built against
# LicenseHub.Tokens as a NuGet package. The package is packed here into a temporary feed, named to the tests in
# LICENSEHUB_TEST_TOKENS_FEED; its version carries a hash of the library's sources, so NuGet's package cache never
# serves an older build under the same version.
apt_install php-cli php-curl golang-go python3-jwt python3-cryptography
command -v npm >/dev/null 2>&1 || apt_install nodejs npm

(cd integrations/verify/node && npm ci --no-audit --no-fund --loglevel=error)
# Redocly CLI, openapi-typescript, openapi-fetch and tsc, pinned by integrations/openapi-client/package-lock.json, lint the
# server's OpenAPI document (OpenApiLintTests) and build a typed client from it that drives the server (OpenApiClientTests).
(cd integrations/openapi-client && npm ci --no-audit --no-fund --loglevel=error)

if [ -z "${LICENSEHUB_TEST_TOKENS_FEED:-}" ]; then
  TOKENS_FEED="$(mktemp -d "${TMPDIR:-/tmp}/lh-tokens-feed.XXXXXX")"
  on_exit "rm -rf '$TOKENS_FEED'"
  TOKENS_VERSION="1.0.0-local.$(cat src/LicenseHub.Tokens/*.csproj src/LicenseHub.Tokens/*.cs Directory.Build.props Directory.Packages.props | sha256sum | cut -c1-12)"
  dotnet pack src/LicenseHub.Tokens -c Release -o "$TOKENS_FEED" -p:PackageVersion="$TOKENS_VERSION" -nologo -v quiet
  export LICENSEHUB_TEST_TOKENS_FEED="$TOKENS_FEED"
  echo "LicenseHub.Tokens $TOKENS_VERSION packed into $TOKENS_FEED"
fi
