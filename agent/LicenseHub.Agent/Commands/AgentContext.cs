using LicenseHub.Agent.State;
using LicenseHub.V1;

namespace LicenseHub.Agent.Commands;

/// <summary>What every command needs: the state file, the machine id, the clock and the console.</summary>
internal sealed class AgentContext(AgentStateStore store, MachineIdSource machineId, Trust.TrustAnchorSource trust, TimeProvider clock,
    TextWriter output, TextWriter error)
{
    public AgentStateStore Store { get; } = store;

    public MachineIdSource MachineId { get; } = machineId;

    /// <summary>The vendor's trust anchor; reading it throws <see cref="Trust.TrustAnchorException"/> when there is none.</summary>
    public Trust.TrustAnchorSource Trust { get; } = trust;

    public TimeProvider Clock { get; } = clock;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Writes a diagnostic line to stderr (journald picks it up under systemd).</summary>
    public void Log(string message) => Error.WriteLine("lh-agent: " + message);

    public int Fail(int exitCode, string message)
    {
        Log(message);
        return exitCode;
    }

    /// <summary>
    /// Runs a command body and turns the failures every command shares into their documented exit codes.
    /// </summary>
    public async Task<int> GuardAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (AgentStateException e)
        {
            return Fail(ExitCodes.StateProblem, e.Message);
        }
        catch (MachineIdException e)
        {
            return Fail(ExitCodes.StateProblem, e.Message);
        }
        catch (Trust.TrustAnchorException e)
        {
            return Fail(ExitCodes.StateProblem, e.Message);
        }
        catch (LicenseServerException e)
        {
            return Fail(e.ExitCode, e.Message);
        }
        catch (InsecureTransportException e)
        {
            return Fail(ExitCodes.Usage, e.Message);
        }
        catch (UsageException e)
        {
            return Fail(ExitCodes.Usage, e.Message);
        }
        catch (FormatException e)
        {
            return Fail(ExitCodes.NotLicensed, e.Message);
        }
    }

    /// <summary>"SUSPENDED" for <see cref="ValidationCode.Suspended"/>: the name from the contract.</summary>
    public static string CodeName(ValidationCode code)
    {
        var name = AgentReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.EnumDescriptor>("ValidationCode")?.FindValueByNumber((int)code)?.Name ?? ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return name.StartsWith("VALIDATION_CODE_", StringComparison.Ordinal) ? name["VALIDATION_CODE_".Length..] : name;
    }

    /// <summary>
    /// Moves the latest-seen time. When the server's clock agrees with ours, our clock is trusted and
    /// the mark may move back (repairing a clock that once ran ahead); otherwise it only moves forward.
    /// </summary>
    public void ObserveTime(AgentState state, DateTimeOffset? serverTime)
    {
        var now = Now;
        if (serverTime is { } server)
        {
            var skew = now - server;
            if (skew.Duration() <= LicenseCheck.ClockTolerance)
            {
                state.LastSeen = now;
                return;
            }

            Log($"warning: the system clock differs from the license server's by {skew.TotalMinutes:F0} minutes");
        }

        state.ObserveTime(now);
    }
}

/// <summary>A command-line value that cannot work (e.g. a file that does not exist); exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
