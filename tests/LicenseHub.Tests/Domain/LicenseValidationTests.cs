using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;

namespace LicenseHub.Tests.Domain;

public sealed class LicenseValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Here = new('a', 64);
    private static readonly string There = new('b', 64);

    private static LicenseFacts Facts(LicenseState state = LicenseState.Active, int daysLeft = 30, int maxMachines = 2) =>
        new(state, Now.AddDays(daysLeft), "panel", maxMachines, Now);

    [Fact]
    public void Validate_UsableLicense_IsValid() =>
        Assert.Equal(ValidationCode.Valid, LicenseValidation.Validate(Facts(), new LicenseRequest(Here, "panel", IsNewMachine: true, Machines: 1)));

    [Theory]
    [InlineData(LicenseState.Revoked, ValidationCode.Revoked)]
    [InlineData(LicenseState.Suspended, ValidationCode.Suspended)]
    public void Validate_StoredStateRefuses_BeforeProductOrMachines(LicenseState state, ValidationCode expected) =>
        Assert.Equal(expected, LicenseValidation.Validate(Facts(state, maxMachines: 1), new LicenseRequest(Here, "other", IsNewMachine: true, Machines: 5)));

    [Fact]
    public void Validate_PastItsTerm_IsExpired_UnlessSuspendedOrRevoked()
    {
        Assert.Equal(ValidationCode.Expired, LicenseValidation.Validate(Facts(daysLeft: 0), new LicenseRequest(Here)));
        Assert.Equal(ValidationCode.Suspended, LicenseValidation.Validate(Facts(LicenseState.Suspended, daysLeft: -1), new LicenseRequest(Here)));
    }

    [Fact]
    public void Validate_CredentialFromAnotherMachine_IsRefusedBeforeTheLicenseStateIsTold() =>
        Assert.Equal(ValidationCode.FingerprintMismatch,
            LicenseValidation.Validate(Facts(LicenseState.Revoked), new LicenseRequest(Here, BoundFingerprint: There)));

    [Fact]
    public void Validate_SuspectedCopy_IsRefusedAfterAnotherMachinesCredentialAndBeforeTheLicenseStateIsTold()
    {
        Assert.Equal(ValidationCode.CloneSuspected,
            LicenseValidation.Validate(Facts(LicenseState.Revoked, daysLeft: -1), new LicenseRequest(Here, "other", BoundFingerprint: Here, CloneSuspected: true)));
        Assert.Equal(ValidationCode.FingerprintMismatch,
            LicenseValidation.Validate(Facts(), new LicenseRequest(Here, BoundFingerprint: There, CloneSuspected: true)));
        Assert.Contains("reseller", LicenseValidation.Describe(ValidationCode.CloneSuspected));
    }

    [Fact]
    public void Validate_OtherProduct_IsRefusedBeforeTheMachineCount() =>
        Assert.Equal(ValidationCode.ProductMismatch,
            LicenseValidation.Validate(Facts(maxMachines: 1), new LicenseRequest(Here, "other", IsNewMachine: true, Machines: 1)));

    [Fact]
    public void Validate_MachineLimit_CountsOnlyNewMachines()
    {
        Assert.Equal(ValidationCode.TooManyMachines, LicenseValidation.Validate(Facts(maxMachines: 2), new LicenseRequest(Here, IsNewMachine: true, Machines: 2)));
        Assert.Equal(ValidationCode.Valid, LicenseValidation.Validate(Facts(maxMachines: 2), new LicenseRequest(Here, IsNewMachine: false, Machines: 2)));
    }

    [Fact]
    public void RecordCheckIn_FromAnotherMachine_ChangesOnlyTheCheckInTime()
    {
        var installation = Installation.Activate(Guid.NewGuid(), new AgentReport(Here, "8.2.1", "1.0.0", TelemetryLevel.Basic, OsFamily.Linux, "12.4"),
            [1], [2], Now.AddDays(-1));
        installation.RecordCheckIn(new AgentReport(Here, "8.2.1", "1.0.0", TelemetryLevel.Basic, OsFamily.Linux, "12.4"), "panel", ValidationCode.Valid, Now.AddDays(-1));

        var record = installation.RecordCheckIn(new AgentReport(There, "9.0.0", "2.0.0", TelemetryLevel.Required), "panel", ValidationCode.FingerprintMismatch, Now);

        Assert.Equal(Now, installation.LastCheckInAt);
        Assert.Equal("8.2.1", installation.ProductVersion);
        Assert.Equal("1.0.0", installation.AgentVersion);
        Assert.Equal(TelemetryLevel.Basic, installation.TelemetryLevel);
        Assert.Equal("12.4", installation.OsVersion);
        Assert.Equal(nameof(ValidationCode.FingerprintMismatch), record.Result);
        Assert.Equal([nameof(Installation.LastCheckInAt)], Installation.CheckInColumns(ValidationCode.FingerprintMismatch));
    }

    [Fact]
    public void RecordCheckIn_NarrowedToRequired_ErasesWhatWasSharedBefore()
    {
        var installation = Installation.Activate(Guid.NewGuid(), new AgentReport(Here, "8.2.1", "1.0.0", TelemetryLevel.Basic), [1], [2], Now);
        installation.RecordCheckIn(new AgentReport(Here, "8.2.1", "1.0.0", TelemetryLevel.Basic, OsFamily.Linux, "12.4", CpuArchitecture.X64, 4),
            "panel", ValidationCode.Valid, Now);

        var record = installation.RecordCheckIn(new AgentReport(Here, "8.2.2", "1.0.0", TelemetryLevel.Required), "panel", ValidationCode.Valid, Now);

        Assert.Null(installation.OsFamily);
        Assert.Null(installation.OsVersion);
        Assert.Null(installation.CpuArchitecture);
        Assert.Null(installation.CpuCores);
        Assert.Null(record.OsFamily);
        Assert.Equal("8.2.2", installation.ProductVersion);
    }
}
