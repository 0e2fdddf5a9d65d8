using System.CommandLine;
using System.Text.Json;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Commands;

/// <summary><c>check</c> and <c>status</c>: offline answers from the state file, no network.</summary>
internal static class StatusCommands
{
    public static Command CreateCheck(AgentCommandLine cli)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing; only set the exit code." };
        var command = new Command("check", "Am I licensed? Verifies the cached token offline (signature, trusted key, product, this machine's fingerprint, expiry plus grace, clock not set back). Exit 0 when licensed, 1 with the reason otherwise.")
        {
            quiet,
        };
        command.SetAction((parse, _) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() => Task.FromResult(Check(ctx, parse.GetValue(quiet))));
        });
        return command;
    }

    public static Command CreateStatus(AgentCommandLine cli)
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command("status", "Show the activation, the cached token and whether this machine is licensed (offline). Exit code as for 'check'.")
        {
            json,
        };
        command.SetAction((parse, _) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() => Task.FromResult(Status(ctx, parse.GetValue(json))));
        });
        return command;
    }

    public static int Check(AgentContext ctx, bool quiet)
    {
        // Refuse outright without an anchor: "not licensed" would hide that the machine is misconfigured.
        ctx.Trust.Load();
        var state = ctx.Store.Load();
        var now = ctx.Now;
        var result = LicenseCheck.Evaluate(state, ctx.Trust, ctx.MachineId, now);
        if (state is not null && !result.ClockSetBack)
        {
            RecordTimeSeen(ctx, state, now);
        }

        if (!quiet)
        {
            if (result.Licensed)
            {
                var claims = result.Claims!;
                ctx.Out.WriteLine(result.InGrace
                    ? $"licensed (offline grace): product {claims.Product}, license {claims.LicenseId}, grace ends {LicenseCheck.Format(GraceEnd(claims))}"
                    : $"licensed: product {claims.Product}, license {claims.LicenseId}, valid until {LicenseCheck.Format(claims.ExpiresAt)}");
            }
            else
            {
                ctx.Error.WriteLine("not licensed: " + result.Reason);
            }
        }

        return result.Licensed ? ExitCodes.Ok : ExitCodes.NotLicensed;
    }

    public static int Status(AgentContext ctx, bool json)
    {
        var state = ctx.Store.Load();
        var result = LicenseCheck.Evaluate(state, ctx.Trust, ctx.MachineId, ctx.Now);
        var claims = result.Claims;
        var report = new StatusReport
        {
            StateFile = ctx.Store.Path,
            Activated = state is not null,
            Licensed = result.Licensed,
            Reason = result.Reason,
            InGrace = result.InGrace,
            ClockSetBack = result.ClockSetBack,
            Mode = state is null ? null : state.IsOnlineActivation ? "online" : "offline",
            Server = state?.Server,
            Product = state?.Product,
            ProductVersion = state?.ProductVersion,
            LicenseId = state?.LicenseId,
            InstallationId = state?.InstallationId,
            Plan = claims?.Plan,
            Edition = claims?.Edition,
            TelemetryLevel = state?.TelemetryLevel.ToString().ToLowerInvariant(),
            TokenExpiresAt = claims?.ExpiresAt,
            GraceEndsAt = claims is null ? null : GraceEnd(claims),
            LicenseExpiresAt = claims?.LicenseExpiresAt,
            LastCheckIn = state?.LastCheckIn,
            LastResult = state?.LastResult,
            LastSeen = state?.LastSeen,
            TrustedKeyIds = state?.Jwks?.Keys.Select(k => k.Kid).ToList(),
            TrustAnchor = ctx.Trust.Describe(),
            TrustAnchorRoots = ctx.Trust.TryLoad(out _)?.RootKeyIds.ToList(),
            LicenseFile = ctx.Store.LicenseFile?.Path,
        };

        if (json)
        {
            ctx.Out.WriteLine(JsonSerializer.Serialize(report, AgentJsonContext.Default.StatusReport));
        }
        else
        {
            WriteText(ctx.Out, report);
        }

        return result.Licensed ? ExitCodes.Ok : ExitCodes.NotLicensed;
    }

    private static void WriteText(TextWriter output, StatusReport r)
    {
        void Line(string label, object? value)
        {
            if (value is not null)
            {
                output.WriteLine($"{label,-18}{value}");
            }
        }

        static string? Time(DateTimeOffset? t) => t is { } v ? LicenseCheck.Format(v) : null;

        Line("Licensed:", (r.Licensed ? "yes" : "no") + (r.InGrace ? " (offline grace)" : ""));
        Line("Reason:", r.Reason);
        Line("State file:", r.StateFile);
        Line("Mode:", r.Mode);
        Line("Server:", r.Server);
        Line("Product:", r.Product is null ? null : $"{r.Product} {r.ProductVersion}".TrimEnd());
        Line("Plan:", r.Plan is null ? null : $"{r.Plan} ({r.Edition})");
        Line("License:", r.LicenseId);
        Line("Installation:", r.InstallationId);
        Line("Token expires:", Time(r.TokenExpiresAt));
        Line("Grace ends:", Time(r.GraceEndsAt));
        Line("License ends:", Time(r.LicenseExpiresAt));
        Line("Last check-in:", r.LastCheckIn is null ? null : $"{Time(r.LastCheckIn)} ({r.LastResult})");
        Line("Telemetry level:", r.TelemetryLevel);
        Line("Trusted keys:", r.TrustedKeyIds is { Count: > 0 } keys ? string.Join(", ", keys) : null);
        Line("Trust anchor:", r.TrustAnchorRoots is { Count: > 0 } roots ? $"{r.TrustAnchor} ({string.Join(", ", roots)})" : $"{r.TrustAnchor} (missing or unusable)");
        Line("License file:", r.LicenseFile);
    }

    private static DateTimeOffset GraceEnd(LicenseClaims claims)
    {
        var end = claims.ExpiresAt.AddSeconds(claims.OfflineGraceSeconds);
        return claims.LicenseExpiresAt is { } licenseEnd && licenseEnd < end ? licenseEnd : end;
    }

    /// <summary>
    /// Moves the latest-seen mark forward so a later clock rollback shows. Best effort: 'check' may run as
    /// a user that can read the state but not write it, and must not wait on the daemon's lock.
    /// </summary>
    private static void RecordTimeSeen(AgentContext ctx, AgentState state, DateTimeOffset now)
    {
        if (state.LastSeen is { } seen && now - seen < TimeSpan.FromMinutes(1))
        {
            return;
        }

        try
        {
            ctx.Store.Update(current =>
            {
                if (current is null || (current.LastSeen is { } latest && now <= latest))
                {
                    return null;
                }

                current.LastSeen = now;
                return current;
            }, TimeSpan.FromSeconds(1));
        }
        catch (AgentStateException)
        {
            // Not writable by this user or locked: the daemon records the time as well.
        }
    }
}
