using System.Text.Json;
using Google.Protobuf;
using LicenseHub.Agent.State;
using LicenseHub.V1;

namespace LicenseHub.Agent.Tests;

public sealed class TelemetryTests
{
    private static readonly SystemFacts Facts = new(OsFamily.Linux, "6.1", CpuArchitecture.X64, 8);

    private static readonly string Nonce = new('n', 43);

    private static AgentState State(TelemetrySetting level) => new()
    {
        Server = "https://license.example.test/",
        InstallationId = "ins_1",
        InstallationSecret = "s3cr3t",
        ProductVersion = "1.4.2",
        Salt = "x",
        TelemetryLevel = level,
    };

    /// <summary>The field numbers that actually go on the wire, at the top level and inside 'basic'.</summary>
    private static (SortedSet<int> Top, SortedSet<int> Basic) WireFields(IMessage message)
    {
        static SortedSet<int> Read(ByteString bytes, Action<int, ByteString>? nested = null)
        {
            var fields = new SortedSet<int>();
            var input = bytes.CreateCodedInput();
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                var number = WireFormat.GetTagFieldNumber(tag);
                fields.Add(number);
                if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                {
                    var payload = input.ReadBytes();
                    nested?.Invoke(number, payload);
                }
                else
                {
                    input.SkipLastField();
                }
            }

            return fields;
        }

        var basic = new SortedSet<int>();
        var top = Read(message.ToByteString(), (number, bytes) =>
        {
            if (number == CheckInRequest.BasicFieldNumber)
            {
                basic = Read(bytes);
            }
        });
        return (top, basic);
    }

    [Fact]
    public void CheckIn_RequiredLevel_SendsOnlyCredentialFingerprintAndVersions()
    {
        var request = AgentRequests.CheckIn(State(TelemetrySetting.Required), new string('a', 64), Facts, Nonce);

        var (top, basic) = WireFields(request);

        Assert.Equal(
            [CheckInRequest.InstallationIdFieldNumber, CheckInRequest.InstallationSecretFieldNumber, CheckInRequest.FingerprintFieldNumber,
             CheckInRequest.ProductVersionFieldNumber, CheckInRequest.AgentVersionFieldNumber, CheckInRequest.TelemetryLevelFieldNumber,
             CheckInRequest.StatusNonceFieldNumber],
            top);
        Assert.Empty(basic);
        Assert.Equal(TelemetryLevel.Required, request.TelemetryLevel);
    }

    [Fact]
    public void CheckIn_BasicLevel_AddsExactlyOsFamilyOsVersionArchitectureAndCores()
    {
        var request = AgentRequests.CheckIn(State(TelemetrySetting.Basic), new string('a', 64), Facts, Nonce);

        var (top, basic) = WireFields(request);

        Assert.Contains(CheckInRequest.BasicFieldNumber, top);
        Assert.Equal(8, top.Count);
        Assert.Equal(
            [BasicTelemetry.OsFamilyFieldNumber, BasicTelemetry.OsVersionFieldNumber, BasicTelemetry.CpuArchitectureFieldNumber, BasicTelemetry.CpuCoresFieldNumber],
            basic);
        Assert.Equal("6.1", request.Basic.OsVersion);
        Assert.Equal(8, request.Basic.CpuCores);
    }

    [Fact]
    public void Activate_RequiredLevel_SendsNoBasicTelemetry()
    {
        var request = AgentRequests.Activate("KEY", new string('a', 64), "1.0.0", "panel", TelemetrySetting.Required, Facts);

        Assert.Null(request.Basic);
        Assert.Equal(TelemetryLevel.Required, request.TelemetryLevel);
    }

    [Fact]
    public void Current_OnThisMachine_ReportsEnumsAndMajorMinorOnly()
    {
        var facts = SystemFacts.Current();

        Assert.NotEqual(OsFamily.Unspecified, facts.OsFamily);
        Assert.NotEqual(CpuArchitecture.Unspecified, facts.CpuArchitecture);
        Assert.Matches(@"^\d+\.\d+$", facts.OsVersion);
        Assert.InRange(facts.CpuCores, 1, 1024);
    }

    [Fact]
    public void Masked_RequestWithSecret_HidesSecretAndKeepsEverythingElse()
    {
        var request = AgentRequests.CheckIn(State(TelemetrySetting.Basic), new string('a', 64), Facts, Nonce);

        var masked = AgentRequests.Masked(request);

        Assert.Equal(AgentRequests.MaskedSecret, masked.InstallationSecret);
        Assert.Equal("s3cr3t", request.InstallationSecret);
        Assert.Equal(AgentRequests.FreshNonce, masked.StatusNonce);
        masked.InstallationSecret = request.InstallationSecret;
        masked.StatusNonce = request.StatusNonce;
        Assert.Equal(request, masked);
    }

    [Fact]
    public void CheckIn_WithTicketInState_EchoesItAndMaskedHidesIt()
    {
        var state = State(TelemetrySetting.Required);
        state.CheckInTicket = new string('t', 43);

        var request = AgentRequests.CheckIn(state, new string('a', 64), Facts, Nonce);
        var masked = AgentRequests.Masked(request);

        Assert.Equal(state.CheckInTicket, request.CheckInTicket);
        Assert.Equal(AgentRequests.MaskedSecret, masked.CheckInTicket);
        Assert.Empty(AgentRequests.CheckIn(State(TelemetrySetting.Required), new string('a', 64), Facts, Nonce).CheckInTicket);
    }

    [Fact]
    public void TelemetryShow_ActivatedState_PrintsTheCheckInRequestJsonWithSecretMasked()
    {
        using var sandbox = new AgentSandbox();
        var state = sandbox.WriteActivatedState();

        var (exit, output, _) = sandbox.Run("telemetry", "show");

        Assert.Equal(0, exit);
        Assert.DoesNotContain(state.InstallationSecret!, output, StringComparison.Ordinal);
        Assert.DoesNotContain(AgentSandbox.MachineId, output, StringComparison.Ordinal);
        var expected = AgentRequests.Masked(AgentRequests.CheckIn(state, AgentSandbox.Fingerprint, SystemFacts.Current(), Nonce));
        Assert.Equal(expected, CheckInRequest.Parser.ParseJson(output));
        using var json = JsonDocument.Parse(output);
        Assert.Equal(
            ["installationId", "installationSecret", "fingerprint", "productVersion", "agentVersion", "telemetryLevel", "statusNonce"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void TelemetrySet_Basic_IsWhatTheNextCheckInSends()
    {
        using var sandbox = new AgentSandbox();
        sandbox.WriteActivatedState();

        Assert.Equal(0, sandbox.Run("telemetry", "set", "basic").ExitCode);
        var (exit, output, _) = sandbox.Run("telemetry", "show");

        Assert.Equal(0, exit);
        var shown = CheckInRequest.Parser.ParseJson(output);
        Assert.Equal(TelemetryLevel.Basic, shown.TelemetryLevel);
        Assert.NotNull(shown.Basic);
        Assert.Equal(TelemetrySetting.Basic, sandbox.Store.Load()!.TelemetryLevel);
    }

    [Fact]
    public void TelemetrySet_UnknownLevel_IsUsageError()
    {
        using var sandbox = new AgentSandbox();

        Assert.Equal(2, sandbox.Run("telemetry", "set", "everything").ExitCode);
        Assert.False(File.Exists(sandbox.StatePath));
    }
}
