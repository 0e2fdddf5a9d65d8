using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.Tokens;
using LicenseHub.V1;

namespace LicenseHub.Tests.Agents;

public sealed class AgentServiceTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes(machine)));

    private async Task<(ResellerSetup Reseller, string Key, string LicenseId)> LicenseAsync(int maxMachines = 2, int transferBudget = 1)
    {
        var scenario = await Scenario.CreateAsync(_factory, maxMachines, transferBudget);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 5);
        var assigned = await scenario.AssignAsync(reseller, pool.Id, 1);
        return (reseller, assigned.Licenses[0].LicenseKey, assigned.Licenses[0].License.Id);
    }

    private static ActivateRequest Activation(string key, string machine = "machine-a") => new()
    {
        LicenseKey = key,
        Fingerprint = Fingerprint(machine),
        ProductVersion = "8.2.1",
        AgentVersion = "1.0.0",
        Product = "panel",
    };

    /// <summary>What an agent does: the published keys, trusted only as far as the exported anchor certifies them.</summary>
    private async Task<TokenVerifier> VerifierFromHttpJwksAsync()
    {
        using var http = _factory.CreateClient();
        var json = await http.GetStringAsync("/.well-known/jwks.json");
        return (await _factory.TrustAnchorAsync()).CreateVerifier(JsonWebKeySet.Parse(json));
    }

    [Fact]
    public async Task Activate_ValidKey_ReturnsInstallationAndTokenVerifiableWithPublishedJwks()
    {
        var (_, key, licenseId) = await LicenseAsync();

        var response = await Agent.ActivateAsync(Activation(key));

        Assert.Equal(ValidationCode.Valid, response.Code);
        Assert.Equal(licenseId, response.LicenseId);
        Assert.NotEmpty(response.InstallationSecret);
        var result = (await VerifierFromHttpJwksAsync()).Verify(response.Token, DateTimeOffset.UtcNow, TokenTypes.License, "panel", Fingerprint("machine-a"));
        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.Equal(licenseId, result.Claims!.LicenseId);
        Assert.Equal(response.InstallationId, result.Claims.InstallationId);
        Assert.Equal("pro", result.Claims.Edition);
        Assert.Equal(7 * 86400, result.Claims.OfflineGraceSeconds);
        var payload = Encoding.UTF8.GetString(Base64Url.Decode(response.Token.Split('.')[1]));
        Assert.DoesNotContain(key, payload);
        Assert.DoesNotContain("billing", payload);

        // The JWKS is also served over gRPC, identical.
        using var http = _factory.CreateClient();
        Assert.Equal(await http.GetStringAsync("/.well-known/jwks.json"), (await Agent.GetJwksAsync(new GetJwksRequest())).JwksJson);
    }

    [Fact]
    public async Task Activate_SameMachineTwice_IsIdempotentAndThirdMachineIsTooMany()
    {
        var (_, key, _) = await LicenseAsync(maxMachines: 2);

        var first = await Agent.ActivateAsync(Activation(key, "machine-a"));
        var again = await Agent.ActivateAsync(Activation(key, "machine-a"));
        var second = await Agent.ActivateAsync(Activation(key, "machine-b"));
        var third = await Agent.ActivateAsync(Activation(key, "machine-c"));

        Assert.Equal(first.InstallationId, again.InstallationId);
        Assert.Equal(ValidationCode.Valid, second.Code);
        Assert.Equal(ValidationCode.TooManyMachines, third.Code);
        Assert.Empty(third.Token);
        Assert.Equal(2, _factory.WithDb(db => db.Installations.Count()));
    }

    [Fact]
    public async Task CheckIn_AfterSuspendAndRevoke_AnswersTheCodeWithoutToken()
    {
        var (reseller, key, licenseId) = await LicenseAsync();
        var activation = await Agent.ActivateAsync(Activation(key));
        CheckInRequest CheckIn() => new()
        {
            InstallationId = activation.InstallationId,
            InstallationSecret = activation.InstallationSecret,
            Fingerprint = Fingerprint("machine-a"),
            ProductVersion = "8.2.2",
            AgentVersion = "1.0.0",
        };
        var reseller1 = _factory.Reseller(reseller.OwnerKey);

        var valid = await Agent.CheckInAsync(CheckIn());
        Assert.Equal(ValidationCode.Valid, valid.Code);
        Assert.NotEmpty(valid.Token);
        Assert.True(valid.NextCheckInSeconds > 0);

        await reseller1.SuspendLicenseAsync(new LicenseActionRequest { LicenseId = licenseId });
        var suspended = await Agent.CheckInAsync(CheckIn());
        Assert.Equal(ValidationCode.Suspended, suspended.Code);
        Assert.Empty(suspended.Token);

        await reseller1.RevokeLicenseAsync(new LicenseActionRequest { LicenseId = licenseId });
        Assert.Equal(ValidationCode.Revoked, (await Agent.CheckInAsync(CheckIn())).Code);

        var other = CheckIn();
        other.Fingerprint = Fingerprint("another-machine");
        Assert.Equal(ValidationCode.FingerprintMismatch, (await Agent.CheckInAsync(other)).Code);

        var wrongSecret = CheckIn();
        wrongSecret.InstallationSecret = "not-the-secret";
        await RpcAssert.Fails(StatusCode.Unauthenticated, () => Agent.CheckInAsync(wrongSecret));

        var detail = await reseller1.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId });
        Assert.Equal("8.2.2", Assert.Single(detail.Installations).ProductVersion);
        Assert.Equal(Fingerprint("machine-a")[..12], detail.Installations[0].FingerprintPrefix);
    }

    [Fact]
    public async Task Activate_FieldsOutsideTheContract_AreRefusedNamingTheFieldAndNothingIsStored()
    {
        var (_, key, _) = await LicenseAsync();

        await RpcAssert.InvalidField("product_version", () => Agent.ActivateAsync(With(key, r => r.ProductVersion = "jane@example.com")));
        await RpcAssert.InvalidField("product_version", () => Agent.ActivateAsync(With(key, r => r.ProductVersion = "web01.example.com")));
        await RpcAssert.InvalidField("agent_version", () => Agent.ActivateAsync(With(key, r => r.AgentVersion = new string('1', 40))));
        await RpcAssert.InvalidField("fingerprint", () => Agent.ActivateAsync(With(key, r => r.Fingerprint = "abc")));
        await RpcAssert.InvalidField("fingerprint", () => Agent.ActivateAsync(With(key, r => r.Fingerprint = Fingerprint("m").ToUpperInvariant())));
        await RpcAssert.InvalidField("basic.os_family", () => Agent.ActivateAsync(With(key, r =>
        {
            r.TelemetryLevel = TelemetryLevel.Basic;
            r.Basic = new BasicTelemetry { OsFamily = (OsFamily)99 };
        })));
        await RpcAssert.InvalidField("basic.os_version", () => Agent.ActivateAsync(With(key, r =>
        {
            r.TelemetryLevel = TelemetryLevel.Basic;
            r.Basic = new BasicTelemetry { OsFamily = OsFamily.Linux, OsVersion = "Debian GNU/Linux 12 on host db1" };
        })));
        await RpcAssert.InvalidField("telemetry_level", () => Agent.ActivateAsync(With(key, r => r.TelemetryLevel = (TelemetryLevel)5)));
        await RpcAssert.InvalidField("license_key", () => Agent.ActivateAsync(With(key, r => r.LicenseKey = "AAAAA-BBBBB")));

        // A field this contract does not know (say a hostname from a modified client) is refused.
        var withExtra = Activation(key).ToByteArray().Concat(UnknownStringField(99, "db1.customer.example")).ToArray();
        var invoker = _factory.Channel.CreateCallInvoker();
        var rawMethod = new Method<byte[], byte[]>(MethodType.Unary, "licensehub.v1.AgentService", "Activate",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var ex = await RpcAssert.Fails(StatusCode.InvalidArgument, async () => await invoker.AsyncUnaryCall(rawMethod, null, new CallOptions(), withExtra));
        Assert.Contains(ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations, f => f.Field == "request");

        Assert.Equal(0, _factory.WithDb(db => db.Installations.Count() + db.CheckIns.Count()));
    }

    [Fact]
    public async Task Activate_TelemetryRequired_StoresNothingOptionalEvenIfSent_AndNarrowingErases()
    {
        var (_, key, _) = await LicenseAsync();
        var basic = new BasicTelemetry { OsFamily = OsFamily.Linux, OsVersion = "12.4", CpuArchitecture = CpuArchitecture.X64, CpuCores = 8 };

        var activation = await Agent.ActivateAsync(With(key, r => { r.TelemetryLevel = TelemetryLevel.Required; r.Basic = basic; }));
        var stored = _factory.WithDb(db => db.Installations.Single());
        Assert.Null(stored.OsFamily);
        Assert.Null(stored.CpuCores);

        var checkIn = new CheckInRequest
        {
            InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = Fingerprint("machine-a"),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0", TelemetryLevel = TelemetryLevel.Basic, Basic = basic,
        };
        await Agent.CheckInAsync(checkIn);
        stored = _factory.WithDb(db => db.Installations.Single());
        Assert.Equal(LicenseHub.Domain.Installations.OsFamily.Linux, stored.OsFamily);
        Assert.Equal("12.4", stored.OsVersion);
        Assert.Equal(8, stored.CpuCores);

        checkIn.TelemetryLevel = TelemetryLevel.Required;
        await Agent.CheckInAsync(checkIn);
        stored = _factory.WithDb(db => db.Installations.Single());
        Assert.Null(stored.OsFamily);
        Assert.Null(stored.OsVersion);
        Assert.Null(stored.CpuArchitecture);
        Assert.Null(stored.CpuCores);
    }

    [Fact]
    public async Task Activate_RepeatedWrongKeys_AreRateLimitedWithRetryDelay()
    {
        await LicenseAsync();
        for (var i = 0; i < 10; i++)
        {
            var answer = await Agent.ActivateAsync(Activation(UnissuedKey()));
            Assert.Equal(ValidationCode.NotFound, answer.Code);
        }

        var ex = await RpcAssert.Fails(StatusCode.ResourceExhausted, () => Agent.ActivateAsync(Activation(UnissuedKey())));
        var retry = ex.GetRpcStatus()!.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.True(retry!.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
    }

    [Fact]
    public async Task Deactivate_DeletesInstallationAndCheckIns()
    {
        var (_, key, _) = await LicenseAsync();
        var activation = await Agent.ActivateAsync(Activation(key));

        var response = await Agent.DeactivateAsync(new DeactivateRequest { InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret });

        Assert.True(response.Deleted);
        Assert.Equal(0, _factory.WithDb(db => db.Installations.Count() + db.CheckIns.Count()));
        var afterwards = await Agent.CheckInAsync(new CheckInRequest
        {
            InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret,
            Fingerprint = Fingerprint("machine-a"), ProductVersion = "8.2.1", AgentVersion = "1.0.0",
        });
        Assert.Equal(ValidationCode.InstallationReleased, afterwards.Code);
    }

    [Fact]
    public async Task ReleaseInstallation_FreesAMachineWithinTheTransferBudget()
    {
        var (reseller, key, licenseId) = await LicenseAsync(maxMachines: 1, transferBudget: 1);
        var client = _factory.Reseller(reseller.OwnerKey);
        var first = await Agent.ActivateAsync(Activation(key, "old-server"));
        Assert.Equal(ValidationCode.TooManyMachines, (await Agent.ActivateAsync(Activation(key, "new-server"))).Code);

        var released = await client.ReleaseInstallationAsync(new ReleaseInstallationRequest { LicenseId = licenseId, InstallationId = first.InstallationId });
        Assert.Equal(1, released.TransfersUsed);
        var moved = await Agent.ActivateAsync(Activation(key, "new-server"));
        Assert.Equal(ValidationCode.Valid, moved.Code);

        var ex = await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            client.ReleaseInstallationAsync(new ReleaseInstallationRequest { LicenseId = licenseId, InstallationId = moved.InstallationId }));
        Assert.Contains("transfer budget", ex.Status.Detail);
    }

    [Fact]
    public async Task RotateSigningKey_NewTokensUseNewKidAndOldKeyStaysPublished()
    {
        var (reseller, key, _) = await LicenseAsync();
        var before = await Agent.ActivateAsync(Activation(key, "machine-a"));
        var oldKid = Kid(before.Token);
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => _factory.Vendor(reseller.OwnerKey).RotateSigningKeyAsync(new RotateSigningKeyRequest()));

        var rotation = await _factory.Vendor().RotateSigningKeyAsync(new RotateSigningKeyRequest());
        var after = await Agent.ActivateAsync(Activation(key, "machine-b"));

        Assert.Equal(oldKid, rotation.Retired.Kid);
        Assert.Equal(rotation.Active.Kid, Kid(after.Token));
        Assert.NotEqual(oldKid, rotation.Active.Kid);
        Assert.True(rotation.Retired.PublishedUntil.ToDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(24));
        var verifier = await VerifierFromHttpJwksAsync();
        Assert.Equal(TokenStatus.Valid, verifier.Verify(before.Token, DateTimeOffset.UtcNow).Status);
        Assert.Equal(TokenStatus.Valid, verifier.Verify(after.Token, DateTimeOffset.UtcNow).Status);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task SigningKeys_AreEncryptedAtRest()
    {
        await LicenseAsync();
        var key = _factory.WithDb(db => db.SigningKeys.Single());
        Assert.Equal(32 + 12 + 16, key.EncryptedPrivateKey.Length);
        var kek = File.ReadAllText(Path.Combine(_factory.DataDirectory, "kek.key")).Trim();
        Assert.Equal(32, Convert.FromBase64String(kek).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_factory.DataDirectory, "kek.key")));
    }

    [Fact]
    public async Task CreateOfflineLicense_BindsFileToRequestFingerprintAndLicenseExpiry()
    {
        var (reseller, _, licenseId) = await LicenseAsync();
        var request = Base64Url.Encode(Encoding.UTF8.GetBytes(
            $"{{\"product\":\"panel\",\"fingerprint\":\"{Fingerprint("air-gapped")}\",\"product_version\":\"8.2.1\",\"agent_version\":\"1.0.0\"}}"));

        var response = await _factory.Reseller(reseller.OwnerKey).CreateOfflineLicenseAsync(new CreateOfflineLicenseRequest { LicenseId = licenseId, ActivationRequest = request });

        var result = (await VerifierFromHttpJwksAsync()).Verify(response.OfflineLicense, DateTimeOffset.UtcNow, TokenTypes.OfflineLicense, "panel", Fingerprint("air-gapped"));
        Assert.Equal(TokenStatus.Valid, result.Status);
        var license = await _factory.Reseller(reseller.OwnerKey).GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId });
        Assert.Equal(license.License.ExpiresAt.ToDateTimeOffset().ToUnixTimeSeconds(), result.Claims!.ExpiresAt.ToUnixTimeSeconds());
        Assert.Single(license.Installations);

        await RpcAssert.InvalidField("activation_request", () => _factory.Reseller(reseller.OwnerKey).CreateOfflineLicenseAsync(
            new CreateOfflineLicenseRequest { LicenseId = licenseId, ActivationRequest = "garbage!" }));
    }

    private static string Kid(string token) =>
        System.Text.Json.JsonDocument.Parse(Base64Url.Decode(token.Split('.')[0])).RootElement.GetProperty("kid").GetString()!;

    private static ActivateRequest With(string key, Action<ActivateRequest> change)
    {
        var request = Activation(key);
        change(request);
        return request;
    }

    // Well-formed keys (valid check characters) that were never issued.
    private static string UnissuedKey() => LicenseHub.Domain.Licensing.LicenseKey.Generate();

    private static byte[] UnknownStringField(int number, string value)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        output.Flush();
        return stream.ToArray();
    }
}

/// <summary>Every agent RPC refuses protobuf fields outside its contract, also those that carry no report.</summary>
public sealed class AgentContractTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    /// <summary>The request with field 15 (unknown to it) carrying a host name, as a hostile or newer client could send.</summary>
    private static T WithUnknownField<T>(T request) where T : IMessage<T>, new()
    {
        var extra = new byte[] { (15 << 3) | 2, 8 }.Concat("web01.lan"u8.ToArray()[..8]).ToArray();
        var parser = new MessageParser<T>(() => new T());
        return parser.ParseFrom(request.ToByteArray().Concat(extra).ToArray());
    }

    [Fact]
    public async Task Deactivate_WithAFieldOutsideTheContract_IsInvalidArgument()
    {
        var request = WithUnknownField(new DeactivateRequest { InstallationId = Guid.NewGuid().ToString(), InstallationSecret = "secret" });
        Assert.NotEqual(new DeactivateRequest { InstallationId = request.InstallationId, InstallationSecret = "secret" }.CalculateSize(), request.CalculateSize());

        await RpcAssert.InvalidField("request", () => Agent.DeactivateAsync(request));
    }

    [Fact]
    public async Task GetJwks_WithAFieldOutsideTheContract_IsInvalidArgument()
    {
        await RpcAssert.InvalidField("request", () => Agent.GetJwksAsync(WithUnknownField(new GetJwksRequest())));
        Assert.NotEmpty((await Agent.GetJwksAsync(new GetJwksRequest())).JwksJson);
    }
}
