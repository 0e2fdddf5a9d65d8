using System.Text.Json;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Tests;

/// <summary>
/// <c>check --feature</c> and <c>check --released</c>: licensed is not enough when the product needs a feature the
/// token's <c>ent</c> lacks, or is a release newer than a perpetual license's maintenance (<c>mnt</c>); and what
/// <c>status</c> shows of both.
/// </summary>
public sealed class EntitlementCheckTests : IDisposable
{
    private static readonly DateTimeOffset MaintenanceEnd = new(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private void Activate(params string[] features) =>
        _sandbox.WriteActivatedState(AgentSandbox.Token(AgentSandbox.Claims() with { Entitlements = features }));

    /// <summary>A perpetual license: no license end (lex), maintenance until <see cref="MaintenanceEnd"/>.</summary>
    private void ActivatePerpetual(params string[] features) =>
        _sandbox.WriteActivatedState(AgentSandbox.Token(AgentSandbox.Claims() with { Entitlements = features, MaintenanceUntil = MaintenanceEnd }));

    [Fact]
    public void Check_FeaturePresent_ExitsZero()
    {
        Activate("api", "sso");

        var (exit, output, error) = _sandbox.Run("check", "--feature", "sso");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("licensed: product panel, license lic_1", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public void Check_FeatureAbsent_ExitsNotEntitledNamingFeatureAndTheLicensesFeatures()
    {
        Activate("api", "reports");

        var (exit, output, error) = _sandbox.Run("check", "--feature", "sso");

        Assert.Equal(ExitCodes.NotEntitled, exit);
        Assert.NotEqual(ExitCodes.NotLicensed, exit);
        Assert.Empty(output);
        Assert.Equal("not entitled: license is valid but has no feature sso (its features: api, reports)\n", error.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_FeatureOfTokenWithoutEnt_ExitsNotEntitled()
    {
        _sandbox.WriteActivatedState();

        var (exit, _, error) = _sandbox.Run("check", "--feature", "sso");

        Assert.Equal(ExitCodes.NotEntitled, exit);
        Assert.Contains("has no feature sso (it has no features)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FeatureIsCaseSensitiveSlug_UpperCaseIsUsageError()
    {
        Activate("sso");

        var (exit, _, error) = _sandbox.Run("check", "--feature", "SSO");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--feature 'SSO' is not a feature code", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-sso")]
    [InlineData("s so")]
    [InlineData("sso,api")]
    [InlineData("")]
    [InlineData("sso_2")]
    public void Check_FeatureNotASlug_IsUsageError(string code)
    {
        Activate("sso");

        var (exit, output, error) = _sandbox.Run("check", "--feature", code);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Empty(output);
        Assert.Contains("--feature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FeatureWithoutCode_IsUsageError()
    {
        Activate("sso");

        Assert.Equal(ExitCodes.Usage, _sandbox.Run("check", "--feature").ExitCode);
    }

    [Fact]
    public void Check_FeatureCodeTooLong_IsUsageError()
    {
        Activate("sso");

        var (exit, _, error) = _sandbox.Run("check", "--feature", new string('a', LicenseRequirements.MaxFeatureCodeLength + 1));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("1 to 64 characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RepeatedFeatures_AllPresent_ExitsZero()
    {
        Activate("api", "reports", "sso");

        Assert.Equal(ExitCodes.Ok, _sandbox.Run("check", "--feature", "sso", "--feature", "api").ExitCode);
    }

    [Fact]
    public void Check_RepeatedFeatures_OneAbsent_ExitsNotEntitledNamingOnlyTheMissingOne()
    {
        Activate("api");

        var (exit, _, error) = _sandbox.Run("check", "--feature", "api", "--feature", "sso", "--feature", "sso");

        Assert.Equal(ExitCodes.NotEntitled, exit);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no feature sso", error, StringComparison.Ordinal);
        Assert.DoesNotContain("no feature api", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExpiredLicenseWithTheFeature_ExitsNotLicensed()
    {
        Activate("sso");
        _sandbox.Clock.Now = AgentSandbox.Now.AddDays(3);

        var (exit, _, error) = _sandbox.Run("check", "--feature", "sso");

        Assert.Equal(ExitCodes.NotLicensed, exit);
        Assert.StartsWith("not licensed: ", error, StringComparison.Ordinal);
        Assert.Contains("expired", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TokenOfAnotherMachineWithTheFeature_ExitsNotLicensed()
    {
        Activate("sso");
        File.WriteAllText(_sandbox.MachineIdFile, "ffffffffffffffffffffffffffffffff\n");

        Assert.Equal(ExitCodes.NotLicensed, _sandbox.Run("check", "--feature", "sso").ExitCode);
    }

    [Fact]
    public void Check_QuietFeatureAbsent_PrintsNothingExitsNotEntitled()
    {
        Activate("api");

        var (exit, output, error) = _sandbox.Run("check", "-q", "--feature", "sso");

        Assert.Equal(ExitCodes.NotEntitled, exit);
        Assert.Empty(output);
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("2025-06-30")]
    [InlineData("2027-02-28")]
    [InlineData("2027-03-01")] // the day maintenance ends is still covered
    public void Check_PerpetualLicenseReleaseWithinMaintenance_ExitsZero(string released)
    {
        ActivatePerpetual();

        var (exit, output, _) = _sandbox.Run("check", "--released", released);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("licensed: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PerpetualLicenseReleaseAfterMaintenance_ExitsNotEntitledNamingMaintenanceEnd()
    {
        ActivatePerpetual();

        var (exit, output, error) = _sandbox.Run("check", "--released", "2027-03-02");

        Assert.Equal(ExitCodes.NotEntitled, exit);
        Assert.Empty(output);
        Assert.Contains("this release (2027-03-02) is newer than its maintenance (until 2027-03-01)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MaintenanceEndingDuringADay_CoversReleasesOfThatDayOnly()
    {
        _sandbox.WriteActivatedState(AgentSandbox.Token(AgentSandbox.Claims() with { MaintenanceUntil = MaintenanceEnd.AddHours(15) }));

        Assert.Equal(ExitCodes.Ok, _sandbox.Run("check", "--released", "2027-03-01").ExitCode);
        Assert.Equal(ExitCodes.NotEntitled, _sandbox.Run("check", "--released", "2027-03-02").ExitCode);
    }

    [Fact]
    public void Check_LicenseWithTermAndNoMaintenanceEnd_CoversEveryRelease()
    {
        _sandbox.WriteActivatedState(AgentSandbox.Token(AgentSandbox.Claims() with { LicenseExpiresAt = AgentSandbox.Now.AddDays(300) }));

        Assert.Equal(ExitCodes.Ok, _sandbox.Run("check", "--released", "2099-12-31").ExitCode);
    }

    [Fact]
    public void Check_ReleasedAndExpired_ExitsNotLicensed()
    {
        ActivatePerpetual();
        _sandbox.Clock.Now = AgentSandbox.Now.AddDays(3);

        Assert.Equal(ExitCodes.NotLicensed, _sandbox.Run("check", "--released", "2026-01-01").ExitCode);
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("2026-5-1")]
    [InlineData("14.05.2026")]
    [InlineData("2026-05-14T00:00:00Z")]
    [InlineData("today")]
    public void Check_ReleasedNotAYyyyMmDdDate_IsUsageError(string released)
    {
        ActivatePerpetual();

        var (exit, _, error) = _sandbox.Run("check", "--released", released);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"--released '{released}' is not a date written YYYY-MM-DD", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FeatureMissingAndReleaseAfterMaintenance_ReportsBoth()
    {
        ActivatePerpetual("api");

        var (exit, _, error) = _sandbox.Run("check", "--feature", "sso", "--released", "2028-01-01");

        Assert.Equal(ExitCodes.NotEntitled, exit);
        Assert.Contains("no feature sso", error, StringComparison.Ordinal);
        Assert.Contains("until 2027-03-01", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FeatureAndReleaseBothMet_ExitsZero()
    {
        ActivatePerpetual("api", "sso");

        Assert.Equal(ExitCodes.Ok, _sandbox.Run("check", "--feature", "sso", "--released", "2026-11-05").ExitCode);
    }

    [Fact]
    public void Status_PerpetualLicense_ShowsPerpetualMaintenanceAndFeatures()
    {
        ActivatePerpetual("api", "sso");

        var (exit, output, _) = _sandbox.Run("status");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("License ends:     perpetual (no expiry)\n", output, StringComparison.Ordinal);
        Assert.Contains("Maintenance:      until 2027-03-01\n", output, StringComparison.Ordinal);
        Assert.Contains("Features:         api, sso\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_LicenseWithTermAndNoFeatures_ShowsItsEndAndNoFeatures()
    {
        _sandbox.WriteActivatedState(AgentSandbox.Token(AgentSandbox.Claims() with { LicenseExpiresAt = new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero) }));

        var (_, output, _) = _sandbox.Run("status");

        Assert.Contains("License ends:     2027-06-01T00:00:00Z\n", output, StringComparison.Ordinal);
        Assert.Contains("Features:         none\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("perpetual", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Maintenance:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusJson_PerpetualLicense_ListsFeaturesMaintenanceAndPerpetual()
    {
        ActivatePerpetual("api", "sso");

        var (exit, output, _) = _sandbox.Run("status", "--json");

        Assert.Equal(ExitCodes.Ok, exit);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(["api", "sso"], root.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(MaintenanceEnd, root.GetProperty("maintenance_until").GetDateTimeOffset());
        Assert.True(root.GetProperty("perpetual").GetBoolean());
        Assert.False(root.TryGetProperty("license_expires_at", out _));
    }

    [Fact]
    public void StatusJson_LicenseWithTermAndNoFeatures_EmptyFeaturesNotPerpetual()
    {
        _sandbox.WriteActivatedState(AgentSandbox.Token(AgentSandbox.Claims() with { LicenseExpiresAt = AgentSandbox.Now.AddDays(300) }));

        using var json = JsonDocument.Parse(_sandbox.Run("status", "--json").Out);
        var root = json.RootElement;

        Assert.Equal(0, root.GetProperty("features").GetArrayLength());
        Assert.False(root.GetProperty("perpetual").GetBoolean());
        Assert.False(root.TryGetProperty("maintenance_until", out _));
    }

    [Fact]
    public void StatusJson_NotActivated_HasNoFeaturesOrPerpetual()
    {
        using var json = JsonDocument.Parse(_sandbox.Run("status", "--json").Out);

        Assert.False(json.RootElement.TryGetProperty("features", out _));
        Assert.False(json.RootElement.TryGetProperty("perpetual", out _));
    }

    [Fact]
    public void CheckAndStatus_TokenExpiringAtTheLastSecondOf9999WithGrace_WorkAndShowThatTime()
    {
        // A perpetual offline license's token may carry exp 9999-12-31T23:59:59Z: adding its grace must not overflow.
        var claims = AgentSandbox.Claims(graceSeconds: 7 * 86400) with
        {
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(253402300799),
            MaintenanceUntil = MaintenanceEnd,
            Entitlements = ["sso"],
        };
        _sandbox.WriteActivatedState(AgentSandbox.Token(claims));

        var check = _sandbox.Run("check", "--feature", "sso", "--released", "2026-05-01");
        var status = _sandbox.Run("status", "--json");

        Assert.Equal(ExitCodes.Ok, check.ExitCode);
        Assert.Contains("valid until 9999-12-31T23:59:59Z", check.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, status.ExitCode);
        using var json = JsonDocument.Parse(status.Out);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(253402300799), json.RootElement.GetProperty("token_expires_at").GetDateTimeOffset());
        Assert.True(json.RootElement.GetProperty("perpetual").GetBoolean());
    }

    [Fact]
    public void Help_Check_DocumentsFeatureAndReleased()
    {
        var (exit, output, _) = _sandbox.Run("check", "--help");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("--feature <CODE>", output, StringComparison.Ordinal);
        Assert.Contains("all required", output, StringComparison.Ordinal);
        Assert.Contains("--released <YYYY-MM-DD>", output, StringComparison.Ordinal);
        Assert.Contains("end of its maintenance", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_Root_DocumentsExitCodeFive()
    {
        var (_, output, _) = _sandbox.Run("--help");

        Assert.Contains("5  licensed, but not entitled", output, StringComparison.Ordinal);
    }
}
