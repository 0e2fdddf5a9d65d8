using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.Tokens;
using LicenseHub.V1;

namespace LicenseHub.Tests.Agents;

/// <summary>Every check-in refusal that makes an agent drop its token or stop carries a status signed by a certified key.</summary>
public sealed class SignedStatusTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    private static readonly string Fingerprint =
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes("machine-a")));

    private static string Nonce() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));

    private async Task<(ResellerSetup Reseller, ActivateResponse Activation, string LicenseId)> ActivatedAsync()
    {
        var scenario = await Scenario.CreateAsync(_factory, 2, 1);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 5);
        var assigned = await scenario.AssignAsync(reseller, pool.Id, 1);
        var activation = await Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = assigned.Licenses[0].LicenseKey, Fingerprint = Fingerprint, ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });
        return (reseller, activation, assigned.Licenses[0].License.Id);
    }

    private static CheckInRequest CheckIn(ActivateResponse activation, string? nonce) => new()
    {
        InstallationId = activation.InstallationId,
        InstallationSecret = activation.InstallationSecret,
        Fingerprint = Fingerprint,
        ProductVersion = "8.2.1",
        AgentVersion = "1.0.0",
        StatusNonce = nonce ?? "",
    };

    private async Task<TokenVerifier> VerifierAsync() =>
        (await _factory.TrustAnchorAsync()).CreateVerifier(JsonWebKeySet.Parse((await Agent.GetJwksAsync(new GetJwksRequest())).JwksJson));

    [Fact]
    public async Task CheckIn_Revoked_CarriesStatusSignedForThisInstallationFingerprintAndNonce()
    {
        var (reseller, activation, licenseId) = await ActivatedAsync();
        await _factory.Reseller(reseller.OwnerKey).RevokeLicenseAsync(new LicenseActionRequest { LicenseId = licenseId });
        var nonce = Nonce();

        var refused = await Agent.CheckInAsync(CheckIn(activation, nonce));

        Assert.Equal(ValidationCode.Revoked, refused.Code);
        var verifier = await VerifierAsync();
        var expected = new ExpectedStatus("REVOKED", activation.InstallationId, licenseId, Fingerprint, nonce);
        var result = verifier.VerifyStatus(refused.Status, DateTimeOffset.UtcNow, expected);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(licenseId, result.Status!.LicenseId);
        Assert.InRange(result.Status.ExpiresAt - result.Status.IssuedAt, TimeSpan.FromMinutes(1), Tokens.SignedStatus.MaxLifetime);
        // Bound to the request: not to another nonce, and not past its short validity.
        Assert.False(verifier.VerifyStatus(refused.Status, DateTimeOffset.UtcNow, expected with { Nonce = Nonce() }).IsValid);
        Assert.False(verifier.VerifyStatus(refused.Status, DateTimeOffset.UtcNow.AddHours(1), expected).IsValid);
    }

    [Fact]
    public async Task CheckIn_Released_CarriesSignedInstallationReleased()
    {
        var (_, activation, _) = await ActivatedAsync();
        await Agent.DeactivateAsync(new DeactivateRequest { InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret });
        var nonce = Nonce();

        var refused = await Agent.CheckInAsync(CheckIn(activation, nonce));

        Assert.Equal(ValidationCode.InstallationReleased, refused.Code);
        var result = (await VerifierAsync()).VerifyStatus(refused.Status, DateTimeOffset.UtcNow,
            new ExpectedStatus("INSTALLATION_RELEASED", activation.InstallationId, null, Fingerprint, nonce));
        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public async Task CheckIn_WrongCredential_UnauthenticatedCarriesSignedStatusDetail()
    {
        var (_, activation, _) = await ActivatedAsync();
        var request = CheckIn(activation, Nonce());
        request.InstallationSecret = "not-the-secret";

        var error = await RpcAssert.Fails(StatusCode.Unauthenticated, () => Agent.CheckInAsync(request));

        var details = error.GetRpcStatus()!.Details.Select(d => d.Unpack<V1.SignedStatus>()).ToList();
        var verifier = await VerifierAsync();
        var result = verifier.VerifyStatus(Assert.Single(details).Status, DateTimeOffset.UtcNow,
            new ExpectedStatus("UNAUTHENTICATED", activation.InstallationId, null, Fingerprint, request.StatusNonce, "not-the-secret"));
        Assert.True(result.IsValid, result.Reason);
        // Garbled on the way: the agent's own credential is not the one refused, so it does not act on the status.
        var garbled = verifier.VerifyStatus(details[0].Status, DateTimeOffset.UtcNow,
            new ExpectedStatus("UNAUTHENTICATED", activation.InstallationId, null, Fingerprint, request.StatusNonce, activation.InstallationSecret));
        Assert.False(garbled.IsValid);
        Assert.Contains("another credential", garbled.Reason);
    }

    [Fact]
    public async Task CheckIn_ValidOrWithoutNonce_CarriesNoStatus()
    {
        var (reseller, activation, licenseId) = await ActivatedAsync();

        Assert.Empty((await Agent.CheckInAsync(CheckIn(activation, Nonce()))).Status);
        await _factory.Reseller(reseller.OwnerKey).SuspendLicenseAsync(new LicenseActionRequest { LicenseId = licenseId });
        var suspended = await Agent.CheckInAsync(CheckIn(activation, null));

        Assert.Equal(ValidationCode.Suspended, suspended.Code);
        Assert.Empty(suspended.Status);
        await RpcAssert.InvalidField("status_nonce", () => Agent.CheckInAsync(CheckIn(activation, "not-a-nonce")));
    }
}
