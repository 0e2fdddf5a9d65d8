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
        var feature = new Option<string[]>("--feature")
        {
            Description = "The product needs this feature: licensed only when the token's entitlements (ent) name it, else exit 5. " +
                "Repeat for several, all required. CODE is the feature code, lower-case letters, digits and dashes (e.g. sso).",
            HelpName = "CODE",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        feature.Validators.Add(result =>
        {
            foreach (var code in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (LicenseRequirements.FeatureCodeProblem(code) is { } problem)
                {
                    result.AddError(problem);
                }
            }
        });
        var released = new Option<string?>("--released")
        {
            Description = "The release date of the product version that asks (YYYY-MM-DD, its own build date, not today's). " +
                "A perpetual license covers only versions released on or before the end of its maintenance (mnt), else exit 5; " +
                "a license with a term covers every version.",
            HelpName = "YYYY-MM-DD",
        };
        released.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !LicenseRequirements.TryParseDay(text, out _))
            {
                result.AddError($"--released '{text}' is not a date written YYYY-MM-DD (e.g. 2026-05-14)");
            }
        });
        var command = new Command("check", "Am I licensed? Verifies the cached token offline (signature, trusted key, product, this machine's fingerprint, expiry plus grace, clock not set back). " +
            "Exit 0 when licensed (and, with --feature and --released, entitled to them), 1 with the reason otherwise, 5 when licensed but missing a feature or past the maintenance.")
        {
            quiet,
            feature,
            released,
        };
        command.SetAction((parse, _) =>
        {
            var ctx = cli.Context(parse);
            var requirements = new LicenseRequirements(
                parse.GetValue(feature) ?? [],
                parse.GetValue(released) is { } day && LicenseRequirements.TryParseDay(day, out var releasedOn) ? releasedOn : null);
            return ctx.GuardAsync(() => Task.FromResult(Check(ctx, parse.GetValue(quiet), requirements)));
        });
        return command;
    }

    public static Command CreateStatus(AgentCommandLine cli)
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON (snake_case; features, maintenance_until and perpetual come from the token)." };
        var command = new Command("status", "Show the activation, the cached token (plan, expiry or 'perpetual', end of maintenance, features) and whether this machine is licensed (offline). " +
            "Exit code as for 'check' without --feature and --released.")
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

    public static int Check(AgentContext ctx, bool quiet, LicenseRequirements requirements)
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

        if (!result.Licensed)
        {
            if (!quiet)
            {
                ctx.Error.WriteLine("not licensed: " + result.Reason);
            }

            return ExitCodes.NotLicensed;
        }

        var claims = result.Claims!;
        var unmet = requirements.Unmet(claims);
        if (!quiet)
        {
            foreach (var reason in unmet)
            {
                ctx.Error.WriteLine("not entitled: " + reason);
            }

            if (unmet.Count == 0)
            {
                ctx.Out.WriteLine(result.InGrace
                    ? $"licensed (offline grace): product {claims.Product}, license {claims.LicenseId}, grace ends {LicenseCheck.Format(GraceEnd(claims))}"
                    : $"licensed: product {claims.Product}, license {claims.LicenseId}, valid until {LicenseCheck.Format(claims.ExpiresAt)}");
            }
        }

        return unmet.Count == 0 ? ExitCodes.Ok : ExitCodes.NotEntitled;
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
            Perpetual = claims is null ? null : claims.LicenseExpiresAt is null,
            MaintenanceUntil = claims?.MaintenanceUntil,
            Features = claims?.Entitlements,
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
        Line("License ends:", r.Perpetual == true ? "perpetual (no expiry)" : Time(r.LicenseExpiresAt));
        Line("Maintenance:", r.MaintenanceUntil is { } mnt ? "until " + LicenseRequirements.FormatDay(mnt) : null);
        Line("Features:", r.Features is null ? null : r.Features.Count == 0 ? "none" : string.Join(", ", r.Features));
        Line("Last check-in:", r.LastCheckIn is null ? null : $"{Time(r.LastCheckIn)} ({r.LastResult})");
        Line("Telemetry level:", r.TelemetryLevel);
        Line("Trusted keys:", r.TrustedKeyIds is { Count: > 0 } keys ? string.Join(", ", keys) : null);
        Line("Trust anchor:", r.TrustAnchorRoots is { Count: > 0 } roots ? $"{r.TrustAnchor} ({string.Join(", ", roots)})" : $"{r.TrustAnchor} (missing or unusable)");
        Line("License file:", r.LicenseFile);
    }

    private static DateTimeOffset GraceEnd(LicenseClaims claims)
    {
        // An offline license may expire at the last second DateTimeOffset holds (9999-12-31): its grace ends there too.
        var end = DateTimeOffset.MaxValue - claims.ExpiresAt > TimeSpan.FromSeconds(claims.OfflineGraceSeconds)
            ? claims.ExpiresAt.AddSeconds(claims.OfflineGraceSeconds)
            : DateTimeOffset.MaxValue;
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
