using System.CommandLine;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Commands;

/// <summary><c>request</c> and <c>import</c>: licensing an air-gapped machine through its reseller.</summary>
internal static class OfflineCommands
{
    public static Command CreateRequest(AgentCommandLine cli)
    {
        var key = new Option<string?>("--key")
        {
            Description = "The license key, or - to read it from standard input; only used to derive the fingerprint, never printed. " +
                "Prefer - or --key-file: a key given here is visible to every user of this machine in 'ps'.",
            HelpName = "KEY",
        };
        var keyFile = LicenseKeyInput.CreateFileOption();
        var product = new Option<string?>("--product") { Description = "Product code this machine runs.", HelpName = "CODE" };
        var productVersion = new Option<string?>("--product-version") { Description = "Installed product version.", HelpName = "V" };
        var command = new Command("request", "Print an offline activation request (one base64url line with product, fingerprint, product_version, agent_version; no secrets) for your reseller to turn into an offline license file. The key comes from --key or --key-file.")
        {
            key, keyFile, product, productVersion,
        };
        command.SetAction((parse, _) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() => Task.FromResult(Request(
                ctx, LicenseKeyInput.Read(parse.GetValue(key), parse.GetValue(keyFile), cli.Input, "--key"), parse.GetValue(product), parse.GetValue(productVersion))));
        });
        return command;
    }

    public static Command CreateImport(AgentCommandLine cli)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The offline license file (a signed token) from your reseller." };
        var jwks = new Option<FileInfo?>("--jwks")
        {
            Description = "JWKS file with the vendor's public signing keys and their certificates (default: the keys in the state). Only keys the trust anchor certifies count.",
            HelpName = "FILE",
        };
        var key = new Option<string?>("--key")
        {
            Description = "The license key (or - to read it from standard input), if 'lh-agent request' was not run on this machine with the same state file.",
            HelpName = "KEY",
        };
        var keyFile = LicenseKeyInput.CreateFileOption();
        var command = new Command("import", "Install an offline license file: verify its signature against a signing key the vendor's trust anchor certifies and that it was issued for this machine, then store it.")
        {
            file, jwks, key, keyFile,
        };
        command.SetAction((parse, _) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() =>
            {
                var (keyValue, keyPath) = (parse.GetValue(key), parse.GetValue(keyFile));
                // Without either, the salt that 'request' stored stands in for the key.
                var licenseKey = string.IsNullOrEmpty(keyValue) && keyPath is null ? null : LicenseKeyInput.Read(keyValue, keyPath, cli.Input, "--key");
                return Task.FromResult(Import(ctx, parse.GetValue(file)!, parse.GetValue(jwks), licenseKey));
            });
        });
        return command;
    }

    public static int Request(AgentContext ctx, string licenseKey, string? product, string? productVersion)
    {
        if (licenseKey.Trim().Length == 0)
        {
            return ctx.Fail(ExitCodes.Usage, "the license key is empty");
        }

        var salt = MachineFingerprint.DeriveSalt(licenseKey);
        var encodedSalt = Base64Url.Encode(salt);
        byte[]? installationSalt = null;
        var saved = ctx.Store.Update(state =>
        {
            if (state is not null && state.Salt is not null && state.Salt != encodedSalt && (state.IsOnlineActivation || state.Token is not null))
            {
                throw new AgentStateException("this machine is licensed under another license key; run 'lh-agent forget' first");
            }

            // Remember the salt (not the key) so that 'import' can check the file was made for this machine.
            installationSalt = InstallationIdentity.ForActivation(ctx.Store.Path, state, salt);
            state ??= new AgentState();
            state.Salt = encodedSalt;
            state.InstallationSalt = installationSalt is null ? null : Base64Url.Encode(installationSalt);
            state.Product = NonEmpty(product) ?? state.Product;
            state.ProductVersion = NonEmpty(productVersion) ?? state.ProductVersion;
            return state;
        });

        var request = new OfflineActivationRequest(
            saved!.Product ?? "",
            ctx.MachineId.Fingerprint(installationSalt ?? salt, createIfMissing: installationSalt is not null),
            saved.ProductVersion ?? ActivateCommand.UnknownProductVersion,
            AgentRequests.AgentVersion);
        ctx.Out.WriteLine(request.Encode());
        return ExitCodes.Ok;
    }

    public static int Import(AgentContext ctx, FileInfo file, FileInfo? jwksFile, string? licenseKey)
    {
        var anchor = ctx.Trust.Load();
        var token = ReadSmallText(file, TokenVerifier.MaxTokenLength + 2, "license file");
        if (token.Length > TokenVerifier.MaxTokenLength)
        {
            return ctx.Fail(ExitCodes.NotLicensed, "the license file is larger than a license token can be");
        }

        JsonWebKeySet? jwks = null;
        if (jwksFile is not null)
        {
            jwks = JsonWebKeySet.Parse(ReadSmallText(jwksFile, 256 * 1024, "JWKS file"));
        }

        var current = ctx.Store.Load();
        jwks ??= current?.Jwks;
        if (jwks is not { Keys.Count: > 0 })
        {
            return ctx.Fail(ExitCodes.StateProblem, "no trusted signing keys: pass --jwks FILE with the vendor's public keys");
        }

        var salt = licenseKey is { Length: > 0 } ? MachineFingerprint.DeriveSalt(licenseKey) : current?.GetSalt();
        if (salt is null)
        {
            return ctx.Fail(ExitCodes.StateProblem, "unknown license key for this machine: run 'lh-agent request --key KEY' first or pass --key KEY");
        }

        // The file was made for the fingerprint 'request' printed: keyed by the installation salt it stored.
        var installationSalt = licenseKey is { Length: > 0 }
            ? InstallationIdentity.ForActivation(ctx.Store.Path, current, salt)
            : current?.InstallationSalt is { } kept ? Base64Url.Decode(kept) : null;
        var fingerprint = ctx.MachineId.Fingerprint(installationSalt ?? salt, createIfMissing: installationSalt is not null);
        var result = anchor.CreateVerifier(jwks).Verify(token, ctx.Now, TokenTypes.OfflineLicense, current?.Product, fingerprint);
        if (!result.IsValid)
        {
            return ctx.Fail(ExitCodes.NotLicensed, "the offline license is not valid here: " + result.Reason);
        }

        var claims = result.Claims!;
        var encodedSalt = Base64Url.Encode(salt);
        ctx.Store.Update(state =>
        {
            if (state is not null && state.IsOnlineActivation && state.Salt != encodedSalt)
            {
                throw new AgentStateException("this machine is activated online under another license key; run 'lh-agent forget' first");
            }

            state ??= new AgentState();
            state.Salt = encodedSalt;
            state.InstallationSalt = installationSalt is null ? null : Base64Url.Encode(installationSalt);
            state.Product = claims.Product;
            state.LicenseId = claims.LicenseId;
            state.Token = token;
            state.TokenType = TokenTypes.OfflineLicense;
            // Only keys the anchor certifies are kept: the cache holds nothing 'check' would refuse.
            state.Jwks = anchor.CertifiedKeys(jwks);
            state.ActivatedAt = ctx.Now;
            state.LastResult = null;
            state.LastDetail = null;
            state.ObserveTime(ctx.Now);
            return state;
        });

        ctx.Out.WriteLine($"imported offline license {claims.LicenseId} for product {claims.Product} ({claims.Plan}, {claims.Edition}), valid until {LicenseCheck.Format(claims.ExpiresAt)}");
        return ExitCodes.Ok;
    }

    private static string ReadSmallText(FileInfo file, long maxBytes, string what)
    {
        try
        {
            file.Refresh();
            if (!file.Exists)
            {
                throw new UsageException($"the {what} {file.FullName} does not exist");
            }

            if (file.Length > maxBytes)
            {
                throw new FormatException($"the {what} {file.FullName} is too large");
            }

            return File.ReadAllText(file.FullName).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"cannot read the {what} {file.FullName}: {e.Message}");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
