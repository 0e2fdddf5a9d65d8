using System.CommandLine;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;
using LicenseHub.V1;

namespace LicenseHub.Agent.Commands;

internal static class ActivateCommand
{
    /// <summary>Sent when no product version is known; the contract requires a semantic version.</summary>
    public const string UnknownProductVersion = "0.0.0";

    public static Command Create(AgentCommandLine cli)
    {
        var key = new Argument<string?>("KEY")
        {
            Description = "The license key from your reseller, or - to read it from standard input. Sent once; only a salt derived from it is stored. " +
                "Prefer - or --key-file: a key given here is visible to every user of this machine in 'ps'.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var keyFile = LicenseKeyInput.CreateFileOption();
        var server = new Option<string>("--server")
        {
            Description = "License server URL, e.g. https://license.example.com (plain http:// only to this machine: localhost, 127.0.0.0/8, ::1).",
            Required = true,
            HelpName = "URL",
        };
        var allowInsecure = new Option<bool>("--allow-insecure-transport")
        {
            Description = "Allow a plain http:// server that is not on this machine; the license key and the installation secret then cross the network " +
                "in clear. Stored, so that 'run' and 'forget' may use it too. Only for a network that is yours alone.",
        };
        var product = new Option<string?>("--product") { Description = "Product code this machine runs; the server checks the license is for it.", HelpName = "CODE" };
        var productVersion = new Option<string?>("--product-version") { Description = $"Installed product version (semantic version; default: the stored one, else {UnknownProductVersion}).", HelpName = "V" };

        var command = new Command("activate", "Activate this machine with a license key: compute the fingerprint, call the server, store the token and trust the server's signing keys.")
        {
            key, keyFile, server, allowInsecure, product, productVersion,
        };
        command.SetAction((parse, ct) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() => ExecuteAsync(
                ctx,
                LicenseKeyInput.Read(parse.GetValue(key), parse.GetValue(keyFile), cli.Input, "KEY"),
                parse.GetValue(server)!,
                parse.GetValue(product),
                parse.GetValue(productVersion),
                parse.GetValue(allowInsecure),
                ct));
        });
        return command;
    }

    public static async Task<int> ExecuteAsync(
        AgentContext ctx, string licenseKey, string serverText, string? product, string? productVersion, bool allowInsecureTransport,
        CancellationToken cancellationToken)
    {
        var trimmedKey = licenseKey.Trim();
        if (trimmedKey.Length == 0)
        {
            return ctx.Fail(ExitCodes.Usage, "the license key is empty");
        }

        if (!AgentClient.TryParseServer(serverText, out var server, out var problem))
        {
            return ctx.Fail(ExitCodes.Usage, problem);
        }

        if (AgentClient.TransportProblem(server, allowInsecureTransport, ServerSource.CommandLine) is { } insecure)
        {
            return ctx.Fail(ExitCodes.Usage, insecure);
        }

        if (server.Scheme == Uri.UriSchemeHttp && !AgentClient.IsLoopback(server))
        {
            ctx.Log($"warning: --allow-insecure-transport: the license key and the installation secret cross the network to {ServerErrors.Display(server)} in clear");
        }

        // Before the key leaves this machine: without the vendor's anchor no answer could be told from a forgery.
        var anchor = ctx.Trust.Load();
        product = string.IsNullOrWhiteSpace(product) ? null : product.Trim();
        var previous = ctx.Store.LoadOrNull(ctx.Error);
        var salt = MachineFingerprint.DeriveSalt(trimmedKey);
        // Before the key leaves this machine, too: an identity that cannot be kept would make every start a new machine.
        var installationSalt = InstallationIdentity.ForActivation(ctx.Store.Path, previous, salt);
        var fingerprint = ctx.MachineId.Fingerprint(installationSalt ?? salt, createIfMissing: installationSalt is not null);
        var level = previous?.TelemetryLevel ?? TelemetrySetting.Required;
        var version = productVersion?.Trim() ?? previous?.ProductVersion ?? UnknownProductVersion;

        using var client = new AgentClient(server);
        // The key as typed (trimmed): the server owns its comparison rules; only the salt uses the normalised form.
        var response = await client.ActivateAsync(
            AgentRequests.Activate(trimmedKey, fingerprint, version, product, level, SystemFacts.Current()), cancellationToken);
        if (response.Code != ValidationCode.Valid)
        {
            return ctx.Fail(ExitCodes.NotLicensed,
                $"not licensed: the license server at {ServerErrors.Display(server)} answered {AgentContext.CodeName(response.Code)}{Detail(response.Detail)}");
        }

        if (response.ServerTime?.ToDateTimeOffset() is { } serverTime && (ctx.Now - serverTime).Duration() > LicenseCheck.ClockTolerance)
        {
            // Nothing would verify here until the clock is right: give the seat back and say what to fix.
            await ReleaseAsync(client, response, cancellationToken);
            return ctx.Fail(ExitCodes.NotLicensed,
                $"this machine's clock is wrong by {Describe(ctx.Now - serverTime)} (here {LicenseCheck.Format(ctx.Now)}, the license server " +
                $"{LicenseCheck.Format(serverTime)}): correct it (e.g. enable NTP: timedatectl set-ntp true) and activate again");
        }

        var jwks = anchor.CertifiedKeys(await client.GetJwksAsync(cancellationToken));
        var verification = anchor.CreateVerifier(jwks).Verify(response.Token, ctx.Now, TokenTypes.License, product, fingerprint);
        if (!verification.IsValid)
        {
            await ReleaseAsync(client, response, cancellationToken);
            return ctx.Fail(ExitCodes.NotLicensed, verification.Status == TokenStatus.KeyNotCertified || jwks.Keys.Count == 0
                ? $"not licensed: the license server at {ServerErrors.Display(server)} signs with keys your vendor's trust anchor ({ctx.Trust.Describe()}) " +
                  $"does not certify ({verification.Reason}). Is it your vendor's license server, and is the anchor current?"
                : "not licensed: the token from the server does not verify: " + verification.Reason);
        }

        var claims = verification.Claims!;
        var state = StateFrom(ctx, previous, response, claims, server, product, version, salt, level, jwks, allowInsecureTransport, installationSalt);

        using (ctx.Store.AcquireLock(TimeSpan.FromSeconds(10)))
        {
            ctx.Store.Save(state);
        }

        if (previous?.InstallationId is { } oldInstallation && oldInstallation != state.InstallationId)
        {
            ctx.Log($"warning: the previous installation {oldInstallation} was replaced without 'lh-agent forget'; the server keeps it until its retention window ends");
        }

        if (state.InstallationId is null)
        {
            ctx.Log("warning: the server returned no installation credential, so 'lh-agent run' cannot check in; the token works offline until it expires");
        }

        ctx.Out.WriteLine($"activated: license {state.LicenseId}, installation {state.InstallationId ?? "(none)"}, product {claims.Product} ({claims.Plan}, {claims.Edition})");
        ctx.Out.WriteLine($"token valid until {LicenseCheck.Format(claims.ExpiresAt)}, offline grace {TimeSpan.FromSeconds(claims.OfflineGraceSeconds)}; telemetry level {level.ToString().ToLowerInvariant()}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The state a VALID activation leaves behind. The credential is always the one in the response:
    /// re-activating the same machine keeps the installation id but issues a new secret, and the old one
    /// stops working on the server at that moment, so a stored secret is never carried over.
    /// </summary>
    internal static AgentState StateFrom(
        AgentContext ctx,
        AgentState? previous,
        ActivateResponse response,
        LicenseClaims claims,
        Uri server,
        string? product,
        string version,
        byte[] salt,
        TelemetrySetting level,
        JsonWebKeySet jwks,
        bool allowInsecureTransport = false,
        byte[]? installationSalt = null)
    {
        var secret = response.InstallationSecret;
        var hasCredential = secret.Length > 0 && response.InstallationId.Length > 0;
        var state = new AgentState
        {
            Server = server.AbsoluteUri,
            // Only what this activation was given: activating again without the flag withdraws it.
            AllowInsecureTransport = allowInsecureTransport,
            Product = product ?? claims.Product,
            ProductVersion = version,
            InstallationId = hasCredential ? response.InstallationId : null,
            InstallationSecret = hasCredential ? secret : null,
            CheckInTicket = hasCredential && response.CheckInTicket.Length > 0 ? response.CheckInTicket : null,
            LicenseId = response.LicenseId.Length > 0 ? response.LicenseId : claims.LicenseId,
            Salt = Base64Url.Encode(salt),
            InstallationSalt = installationSalt is null ? null : Base64Url.Encode(installationSalt),
            TelemetryLevel = level,
            Token = response.Token,
            TokenType = TokenTypes.License,
            Jwks = jwks,
            ActivatedAt = ctx.Now,
            LastCheckIn = ctx.Now,
            LastResult = AgentContext.CodeName(response.Code),
            LastSeen = previous?.LastSeen,
        };
        // The server's clock as it answered; a server that does not send it issued the token just now, so
        // the token's iat stands in for it.
        ctx.ObserveTime(state, response.ServerTime?.ToDateTimeOffset() ?? claims.IssuedAt);
        return state;
    }

    /// <summary>"3 hours ahead", "1 day behind": how far this clock is off, in plain words.</summary>
    internal static string Describe(TimeSpan skew)
    {
        var size = skew.Duration();
        var amount = size.TotalDays >= 1 ? $"{size.TotalDays:F0} day(s)" : size.TotalHours >= 1 ? $"{size.TotalHours:F0} hour(s)" : $"{size.TotalMinutes:F0} minute(s)";
        return amount + (skew < TimeSpan.Zero ? " behind" : " ahead");
    }

    /// <summary>Gives back the seat an answer we cannot use took (best effort: the refusal is what matters).</summary>
    private static async Task ReleaseAsync(AgentClient client, ActivateResponse response, CancellationToken cancellationToken)
    {
        if (response.InstallationId.Length == 0 || response.InstallationSecret.Length == 0)
        {
            return;
        }

        try
        {
            await client.DeactivateAsync(new DeactivateRequest { InstallationId = response.InstallationId, InstallationSecret = response.InstallationSecret },
                cancellationToken);
        }
        catch (LicenseServerException)
        {
        }
    }

    private static string Detail(string detail) => string.IsNullOrWhiteSpace(detail) ? "" : ": " + detail.ReplaceLineEndings(" ");
}
