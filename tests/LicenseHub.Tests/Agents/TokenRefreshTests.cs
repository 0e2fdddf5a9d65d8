using System.Security.Cryptography;
using System.Text;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LicenseHub.Tests.Agents;

/// <summary>
/// Refresh at half-life: a check-in answers with the installation's current token while that has more than half its
/// lifetime (24 hours here) left and says what a new one would; a change of what the token says is seen at once.
/// </summary>
public sealed class TokenRefreshTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly LicenseHubFactory _factory;

    public TokenRefreshTests()
    {
        _factory = new LicenseHubFactory(builder =>
        {
            builder.UseSetting("LicenseHub:Retention:Enabled", "false");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
    }

    public void Dispose() => _factory.Dispose();

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes(machine)));

    private async Task<(ResellerSetup Reseller, string LicenseId, Func<Task<CheckInResponse>> CheckIn)> ActivatedAsync()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 2);
        var assigned = await scenario.AssignAsync(reseller, pool.Id, 1);
        var activation = await Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = assigned.Licenses[0].LicenseKey, Fingerprint = Fingerprint("machine-a"),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });
        var ticket = "";
        async Task<CheckInResponse> CheckIn()
        {
            var answer = await Agent.CheckInAsync(new CheckInRequest
            {
                InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret,
                Fingerprint = Fingerprint("machine-a"), ProductVersion = "8.2.1", AgentVersion = "1.0.0", CheckInTicket = ticket,
            });
            // As the agent does: a ticket is handed out with VALID answers only, and kept until the next one.
            if (answer.CheckInTicket.Length > 0)
            {
                ticket = answer.CheckInTicket;
            }
            return answer;
        }
        return (reseller, assigned.Licenses[0].License.Id, CheckIn);
    }

    [Fact]
    public async Task HourlyCheckIns_AnswerTheKeptToken_UntilHalfItsLifetime_ThenANewOne()
    {
        var (_, _, checkIn) = await ActivatedAsync();
        var first = await checkIn();
        Assert.Equal(ValidationCode.Valid, first.Code);

        var tokens = new List<string>();
        for (var hour = 1; hour <= 11; hour++)
        {
            _clock.Advance(TimeSpan.FromHours(1));
            var answer = await checkIn();
            Assert.Equal(ValidationCode.Valid, answer.Code);
            tokens.Add(answer.Token);
        }
        Assert.All(tokens, t => Assert.Equal(first.Token, t));

        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var refreshed = await checkIn();
        Assert.Equal(ValidationCode.Valid, refreshed.Code);
        Assert.NotEqual(first.Token, refreshed.Token);
        var kept = _factory.WithDb(db => db.Installations.Single());
        Assert.Equal(refreshed.Token, kept.CurrentToken);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), kept.CurrentTokenIssuedAt!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task SuspendedThenResumed_IsSeenAtTheNextCheckIn_AndARenewalSignsANewToken()
    {
        var (reseller, licenseId, checkIn) = await ActivatedAsync();
        var client = _factory.Reseller(reseller.OwnerKey);
        var first = await checkIn();

        await client.SuspendLicenseAsync(new LicenseActionRequest { LicenseId = licenseId });
        _clock.Advance(TimeSpan.FromMinutes(5));
        var suspended = await checkIn();
        Assert.Equal(ValidationCode.Suspended, suspended.Code);
        Assert.Empty(suspended.Token);

        await client.ResumeLicenseAsync(new LicenseActionRequest { LicenseId = licenseId });
        _clock.Advance(TimeSpan.FromMinutes(5));
        var resumed = await checkIn();
        Assert.Equal(ValidationCode.Valid, resumed.Code);
        // Its claims hold again and it is still fresh: the same genuine token.
        Assert.Equal(first.Token, resumed.Token);

        await client.RenewLicensesAsync(new RenewLicensesRequest { LicenseIds = { licenseId }, Terms = 1, IdempotencyKey = "renew-refresh-1" });
        _clock.Advance(TimeSpan.FromMinutes(5));
        var renewed = await checkIn();
        Assert.Equal(ValidationCode.Valid, renewed.Code);
        Assert.NotEqual(first.Token, renewed.Token);
        var license = await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId });
        var claims = System.Text.Json.JsonDocument.Parse(LicenseHub.Tokens.Base64Url.Decode(renewed.Token.Split('.')[1])).RootElement;
        Assert.Equal(license.License.ExpiresAt.ToDateTimeOffset().ToUnixTimeSeconds(), claims.GetProperty("lex").GetInt64());
    }
}
