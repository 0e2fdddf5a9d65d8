using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl license …  (reseller; vendor-suspend and vendor-resume need a vendor admin key)</summary>
public static class LicenseCommands
{
    public static Command Create(CliContext cli)
    {
        var license = new Command("license", "Assign licenses from a pool and manage them (reseller key).");
        license.Add(Assign(cli));
        license.Add(List(cli));
        license.Add(Get(cli));
        license.Add(Action(cli, "suspend", "Suspend a license; its servers stop being licensed until it is resumed.",
            (s, id, ct) => s.Reseller.SuspendLicenseAsync(new LicenseActionRequest { LicenseId = id }, cancellationToken: ct)));
        license.Add(Action(cli, "resume", "Resume a suspended license.",
            (s, id, ct) => s.Reseller.ResumeLicenseAsync(new LicenseActionRequest { LicenseId = id }, cancellationToken: ct)));
        license.Add(Revoke(cli));
        license.Add(LicenseOrderCommands.Renew(cli));
        license.Add(LicenseOrderCommands.ChangePlan(cli));
        license.Add(LicenseOrderCommands.ReissueKey(cli));
        license.Add(LicenseOrderCommands.Return(cli));
        license.Add(LicenseModelCommands.AddOns(cli));
        license.Add(Release(cli));
        license.Add(ResolveClone(cli));
        license.Add(OfflineFile(cli));
        license.Add(Action(cli, "vendor-suspend", "Vendor: suspend any reseller's license, e.g. for abuse (vendor admin key).",
            (s, id, ct) => s.Vendor.SuspendLicenseAsync(new VendorLicenseRequest { LicenseId = id }, cancellationToken: ct)));
        license.Add(Action(cli, "vendor-resume", "Vendor: resume a license the vendor suspended (vendor admin key).",
            (s, id, ct) => s.Vendor.ResumeLicenseAsync(new VendorLicenseRequest { LicenseId = id }, cancellationToken: ct)));
        license.Add(Action(cli, "vendor-restore-transfers", "Vendor: give a license its whole transfer budget back, e.g. for a server that died (vendor admin key).",
            (s, id, ct) => s.Vendor.RestoreTransfersAsync(new VendorLicenseRequest { LicenseId = id }, cancellationToken: ct)));
        return license;
    }

    private static Command Assign(CliContext cli)
    {
        var pool = new Option<string>("--pool") { Description = "Id of the pool to take the licenses from (see 'lhctl pool list').", Required = true, HelpName = "ID" };
        var count = new Option<int?>("--count") { Description = "How many licenses to assign, 1..10000 (default 1, or one per --reference).", HelpName = "N" };
        var references = new Option<string[]>("--reference")
        {
            Description = "Your own opaque id for the customer, one license per --reference (repeat the option). "
                + "1 to 64 letters, digits and . _ : - (cust-12345, a GUID, whmcs:service:42); never personal data such as an e-mail address, phone number or name.",
            HelpName = "REF",
            AllowMultipleArgumentsPerToken = false,
        };
        var csv = new Option<FileInfo?>("--csv")
        {
            Description = "Write the new keys to this new CSV file (license_id,license_key,reseller_reference; permissions 0600) "
                + "instead of printing them.",
            HelpName = "FILE",
        };
        var idempotencyKey = LicenseOrderCommands.IdempotencyKey("licenses and keys (for 24 hours, to the same API key)");
        var command = new Command("assign", "Assign licenses from a pool. The keys are shown only once (and again to a retry with the same idempotency key within 24 hours).")
        {
            pool, count, references, csv, idempotencyKey,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var refs = parse.GetValue(references) ?? [];
            var wanted = parse.GetValue(count);
            if (refs.Length > 0 && wanted is { } n && n != refs.Length)
            {
                throw new UsageException($"--count {n} does not match the {refs.Length} --reference value(s); give one or the other.");
            }
            var request = new AssignLicensesRequest { PoolId = parse.GetValue(pool)! };
            request.IdempotencyKey = LicenseOrderCommands.Key(session, parse, idempotencyKey, "assignment");
            if (refs.Length > 0)
            {
                request.Assignments.AddRange(refs.Select(r => new LicenseAssignment { ResellerReference = r }));
            }
            else
            {
                request.Count = wanted ?? 1;
            }

            var csvFile = parse.GetValue(csv);
            // Opened before the call: keys exist only in the response, so there must be somewhere to put them.
            using var keyFile = csvFile is null ? null : PrivateFile.CreateNew(csvFile.FullName, "license keys");
            AssignLicensesResponse response;
            try
            {
                response = await session.Reseller.AssignLicensesAsync(request, cancellationToken: ct);
            }
            catch (RpcException)
            {
                keyFile?.Abandon();
                throw;
            }

            if (response.Replayed)
            {
                session.Printer.Notice("This idempotency key assigned these licenses earlier: the same licenses and keys again, nothing new was assigned.");
            }
            // The licenses are assigned by now: if the file cannot take the keys, they must still reach the user.
            if (keyFile is not null && !keyFile.TryWrite(LicenseKeysCsv.Format(response.Licenses), session.Printer.Error))
            {
                PrintKeys(session.Printer, response);
                return ExitCodes.Ok;
            }
            if (keyFile is not null)
            {
                var shown = response.Clone();
                foreach (var l in shown.Licenses)
                {
                    l.LicenseKey = "";
                }
                session.Printer.Print(shown, o =>
                {
                    o.WriteLine($"Assigned {response.Licenses.Count} license(s); keys written to {keyFile.Path} (permissions 0600).");
                    o.WriteLine($"Pool {response.Pool.Id}: {response.Pool.Available} of {response.Pool.Purchased} still available.");
                });
                session.Printer.Notice("The file holds the only copy of these keys; the server keeps only a hash. Keep it safe.");
                return ExitCodes.Ok;
            }
            PrintKeys(session.Printer, response);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void PrintKeys(Printer printer, AssignLicensesResponse response)
    {
        printer.Print(response, o =>
        {
            var table = new Table("LICENSE ID", "KEY", "REFERENCE", "EXPIRES");
            foreach (var assigned in response.Licenses)
            {
                table.Add(assigned.License.Id, assigned.LicenseKey, assigned.License.ResellerReference, Display.Expiry(assigned.License));
            }
            table.WriteTo(o);
            o.WriteLine($"Pool {response.Pool.Id}: {response.Pool.Available} of {response.Pool.Purchased} still available.");
        });
        printer.Notice("Store these license keys now; they will not be shown again (the server keeps only a hash).");
    }

    private static Command List(CliContext cli)
    {
        var state = new Option<string?>("--state") { Description = "Only licenses in this state.", HelpName = "STATE" };
        state.AcceptOnlyFromAmong("active", "suspended", "revoked", "expired");
        var plan = new Option<string?>("--plan") { Description = "Only licenses of this plan id.", HelpName = "ID" };
        var pool = new Option<string?>("--pool") { Description = "Only licenses from this pool id.", HelpName = "ID" };
        var reference = new Option<string?>("--reference") { Description = "Only the license(s) with exactly this reseller reference.", HelpName = "REF" };
        var expiresBefore = new Option<string?>("--expires-before")
        {
            Description = "Only licenses expiring before this date or time (ISO 8601, UTC unless an offset is given), e.g. 2027-01-31.",
            HelpName = "DATE",
        };
        var command = new Command("list", "List your licenses, newest first (keys are never shown, only their prefix).")
        {
            state, plan, pool, reference, expiresBefore,
        };
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var filter = new ListLicensesRequest
            {
                State = parse.GetValue(state) switch
                {
                    "active" => LicenseState.Active,
                    "suspended" => LicenseState.Suspended,
                    "revoked" => LicenseState.Revoked,
                    "expired" => LicenseState.Expired,
                    _ => LicenseState.Unspecified,
                },
                PlanId = parse.GetValue(plan) ?? "",
                PoolId = parse.GetValue(pool) ?? "",
                ResellerReference = parse.GetValue(reference) ?? "",
            };
            if (parse.GetValue(expiresBefore) is { } text)
            {
                filter.ExpiresBefore = ParseInstant(text, "--expires-before");
            }
            Task<ListLicensesResponse> List(PageRequest page)
            {
                var request = filter.Clone();
                request.Page = page;
                return session.Reseller.ListLicensesAsync(request, cancellationToken: ct).ResponseAsync;
            }
            var plans = await PlanCodes.ForResellerAsync(session, ct);
            await paging.PrintAsync(session.Printer, parse, List,
                (o, response) =>
                {
                    if (response.Licenses.Count == 0)
                    {
                        o.WriteLine("No licenses match.");
                        return;
                    }
                    var table = new Table("ID", "KEY PREFIX", "STATE", "PLAN", "REFERENCE", "MACHINES", "EXPIRES");
                    foreach (var l in response.Licenses)
                    {
                        table.Add(l.Id, l.KeyPrefix + "…", Display.State(l.State), plans.Of(l.PlanId), l.ResellerReference,
                            $"{l.Installations + l.ForgottenSeats}/{l.MaxMachines}", Display.Expiry(l));
                    }
                    table.WriteTo(o);
                    o.WriteLine($"{response.Licenses.Count} license(s).");
                });
        });
        return command;
    }

    private static Command Get(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the license." };
        var command = new Command("get", "Show a license and the servers (installations) using it, and which of them run on copies (CLONE SUSPECTED).") { id };
        command.Aliases.Add("show");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Reseller.GetLicenseAsync(new GetLicenseRequest { LicenseId = parse.GetValue(id)! }, cancellationToken: ct);
            var plans = await PlanCodes.ForResellerAsync(session, ct);
            session.Printer.Print(response, o =>
            {
                WriteLicense(o, response.License, plans);
                foreach (var addOn in response.AddOns)
                {
                    o.WriteLine($"add-on:         {addOn.FeatureCode} since {Display.Time(addOn.AddedAt)}"
                        + (addOn.RemovedAtRenewal ? " (removed: ends at the next renewal)" : " (renewed with the license)"));
                }
                if (response.ForgottenSeats.Count > 0)
                {
                    o.WriteLine("forgotten seats (their servers ran 'lh-agent forget'; each stays taken until released, which uses a transfer):");
                    var seats = new Table("ID", "FORGOTTEN ON");
                    foreach (var s in response.ForgottenSeats)
                    {
                        seats.Add(s.Id, s.ForgottenOn);
                    }
                    seats.WriteTo(o);
                    o.WriteLine($"  release one with: lhctl license release {response.License.Id} --installation ID");
                }
                if (response.Installations.Count == 0)
                {
                    o.WriteLine("installations:  none");
                    return;
                }
                o.WriteLine("installations:");
                var table = new Table("ID", "FINGERPRINT", "PRODUCT VERSION", "AGENT VERSION", "ACTIVATED", "LAST CHECK-IN", "STATUS");
                foreach (var i in response.Installations)
                {
                    table.Add(i.Id, i.FingerprintPrefix + "…", i.ProductVersion, i.AgentVersion, Display.Time(i.ActivatedAt), Display.Time(i.LastCheckInAt),
                        i.CloneSuspectedAt is null ? "ok" : $"CLONE SUSPECTED since {Display.Time(i.CloneSuspectedAt)}");
                }
                table.WriteTo(o);
                foreach (var i in response.Installations.Where(i => i.CloneSuspectedAt is not null))
                {
                    o.WriteLine();
                    o.WriteLine($"Installation {i.Id} is running on more than one machine (a copied disk or a cloned VM); every copy is told "
                        + "CLONE_SUSPECTED and is not licensed. Either release it (uses a transfer):");
                    o.WriteLine($"  lhctl license release {response.License.Id} --installation {i.Id}");
                    o.WriteLine("or re-activate it, so the genuine machine takes it over with 'lh-agent activate' and the copies are refused:");
                    o.WriteLine($"  lhctl license resolve-clone {response.License.Id} --installation {i.Id}");
                }
            });
        });
        return command;
    }

    private static Command Release(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the license." };
        var installation = new Option<string>("--installation")
        {
            Description = "Id of the installation, or of a forgotten seat, to release (see 'lhctl license get ID').",
            Required = true,
            HelpName = "ID",
        };
        var command = new Command("release", "Release a server from a license so the license can move to a new server (uses the transfer budget).")
        {
            id, installation,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var license = await session.Reseller.ReleaseInstallationAsync(new ReleaseInstallationRequest
            {
                LicenseId = parse.GetValue(id)!,
                InstallationId = parse.GetValue(installation)!,
            }, cancellationToken: ct);
            session.Printer.Print(license, o =>
            {
                o.WriteLine($"Released the installation; license {license.Id} has used {license.TransfersUsed} of {license.TransferBudget} transfer(s).");
            });
        });
        return command;
    }

    private static Command ResolveClone(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the license." };
        var installation = new Option<string>("--installation")
        {
            Description = "Id of the installation shown as CLONE SUSPECTED (see 'lhctl license show ID').",
            Required = true,
            HelpName = "ID",
        };
        var command = new Command("resolve-clone",
            "Re-activate an installation suspected of running on more than one machine (CLONE SUSPECTED): the suspicion ends and the "
            + "credential every copy holds stops working. Then activate the genuine machine again with 'lh-agent activate' and the "
            + "license key; it takes the installation over, and the copies stay refused. Uses no transfer; to free the seat instead, "
            + "use 'lhctl license release'.")
        {
            id, installation,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var resolved = await session.Reseller.ResolveClonedInstallationAsync(new ResolveClonedInstallationRequest
            {
                LicenseId = parse.GetValue(id)!,
                InstallationId = parse.GetValue(installation)!,
            }, cancellationToken: ct);
            session.Printer.Print(resolved, o =>
                o.WriteLine($"Installation {resolved.Id} is re-activated: the copies' credential no longer works. Run 'lh-agent activate' "
                    + "with the license key on the genuine machine to take it over."));
        });
        return command;
    }

    private static Command OfflineFile(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the license." };
        var request = new Option<string?>("--request")
        {
            Description = "The activation request: the base64url line 'lh-agent request' printed on the air-gapped server.",
            HelpName = "TEXT",
        };
        var requestFile = new Option<FileInfo?>("--request-file")
        {
            Description = "Read the activation request from this file instead of --request.",
            HelpName = "FILE",
        };
        var output = new Option<FileInfo?>("--output")
        {
            Description = "Write the offline license file here (a new file, permissions 0600; an existing file is never overwritten) "
                + "instead of printing it.",
            HelpName = "FILE",
        };
        var command = new Command("offline-file",
            "Turn an air-gapped server's activation request into a signed offline license file bound to that machine, "
            + "expiring no later than the license. The machine counts towards the plan's machines. "
            + "Install it there with 'lh-agent import FILE'.")
        {
            id, request, requestFile, output,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var activationRequest = ActivationRequest(parse.GetValue(request), parse.GetValue(requestFile));
            var outputFile = parse.GetValue(output);
            // Opened before the call: the call takes up one of the license's machines, so the file must have a place.
            using var file = outputFile is null ? null : PrivateFile.CreateNew(outputFile.FullName, "an offline license");
            CreateOfflineLicenseResponse response;
            try
            {
                response = await session.Reseller.CreateOfflineLicenseAsync(new CreateOfflineLicenseRequest
                {
                    LicenseId = parse.GetValue(id)!,
                    ActivationRequest = activationRequest,
                }, cancellationToken: ct);
            }
            catch (RpcException)
            {
                file?.Abandon();
                throw;
            }

            if (file is not null && file.TryWrite(response.OfflineLicense, session.Printer.Error))
            {
                var shown = response.Clone();
                shown.OfflineLicense = "";
                session.Printer.Print(shown, o =>
                    o.WriteLine($"Wrote the offline license file to {file.Path} (permissions 0600); it expires {Display.Time(response.ExpiresAt)}."));
                session.Printer.Notice("Copy it to the air-gapped server and install it there with 'lh-agent import FILE'.");
                return;
            }
            session.Printer.Print(response, o => o.WriteLine(response.OfflineLicense));
            session.Printer.Notice($"Offline license file, expires {Display.Time(response.ExpiresAt)}: save the line above as a file on the "
                + "air-gapped server and install it with 'lh-agent import FILE'.");
        });
        return command;
    }

    private static string ActivationRequest(string? text, FileInfo? file)
    {
        if ((text is null) == (file is null))
        {
            throw new UsageException("Give the activation request either with --request TEXT or with --request-file FILE (one of them).");
        }
        if (file is null)
        {
            return text!.Trim();
        }
        try
        {
            return File.ReadAllText(file.FullName).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read the activation request file {file.FullName}: {ex.Message}");
        }
    }

    private static Command Revoke(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the license." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var command = new Command("revoke",
            "Revoke a license for good (cannot be undone): its servers stop at their next check-in, its key stops activating, and its seat does not "
            + "go back to the pool (a license never activated can be given back with 'lhctl license return'). Asks first, unless --yes.") { id, yes };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var licenseId = parse.GetValue(id)!;
            if (!parse.GetValue(yes))
            {
                // Shown before asking, so the question is about a license that exists, named as its owner knows it.
                var current = (await session.Reseller.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId }, cancellationToken: ct)).License;
                var reference = string.IsNullOrEmpty(current.ResellerReference) ? "" : $" ({current.ResellerReference})";
                if (!LicenseOrderCommands.Ask(cli, session,
                        $"License {current.Id}{reference}, {Display.State(current.State)} on {current.Installations} server(s), is revoked for good: its servers "
                        + "stop at their next check-in and its seat does not go back to the pool.", "Revoke it", "The license was not revoked."))
                {
                    return ExitCodes.NotConfirmed;
                }
            }
            var license = await session.Reseller.RevokeLicenseAsync(new LicenseActionRequest { LicenseId = licenseId }, cancellationToken: ct);
            session.Printer.Print(license, o =>
                o.WriteLine($"License {license.Id} is {Display.State(license.State)}, expires {Display.Expiry(license)}."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Action(CliContext cli, string name, string description,
        Func<Session, string, CancellationToken, AsyncUnaryCall<License>> call)
    {
        var id = new Argument<string>("id") { Description = "Id of the license." };
        var command = new Command(name, description) { id };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var license = await call(session, parse.GetValue(id)!, ct);
            session.Printer.Print(license, o =>
                o.WriteLine($"License {license.Id} is {Display.State(license.State)}, expires {Display.Expiry(license)}."));
        });
        return command;
    }

    private static void WriteLicense(TextWriter o, License l, PlanCodes plans)
    {
        o.WriteLine($"id:             {l.Id}");
        o.WriteLine($"key prefix:     {l.KeyPrefix}…");
        o.WriteLine($"state:          {Display.State(l.State)}");
        o.WriteLine(plans.Of(l.PlanId) is var code && code != l.PlanId ? $"plan:           {code} ({l.PlanId})" : $"plan:           {l.PlanId}");
        o.WriteLine($"pool:           {l.PoolId}");
        o.WriteLine($"reference:      {(string.IsNullOrEmpty(l.ResellerReference) ? "-" : l.ResellerReference)}");
        o.WriteLine($"created:        {Display.Time(l.CreatedAt)}");
        o.WriteLine(l.Perpetual
            ? $"expires:        never (perpetual); maintenance until {Display.Time(l.MaintenanceUntil)}"
            : $"expires:        {Display.Time(l.ExpiresAt)}" + (l.Trial ? " (trial: convert with 'lhctl license change-plan')" : ""));
        o.WriteLine($"features:       {LicenseModelCommands.List(l.Features)}");
        o.WriteLine($"machines:       {l.Installations + l.ForgottenSeats} of {l.MaxMachines}"
            + (l.ForgottenSeats > 0 ? $" ({l.ForgottenSeats} held by forgotten servers)" : ""));
        o.WriteLine($"transfers used: {l.TransfersUsed} of {l.TransferBudget}");
        if (l.PendingPlanId.Length > 0)
        {
            o.WriteLine($"scheduled:      moves to plan {l.PendingPlanId} at the next renewal");
        }
        if (l.ReturnedAt is not null)
        {
            o.WriteLine($"returned:       {Display.Time(l.ReturnedAt)} (its seat went back to the pool)");
        }
        else if (l.ReturnableUntil is not null)
        {
            o.WriteLine($"returnable:     until {Display.Time(l.ReturnableUntil)} while never activated ('lhctl license return')");
        }
    }

    private static Timestamp ParseInstant(string text, string option)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            throw new UsageException($"{option} must be a date or time in ISO 8601 form, e.g. 2027-01-31 or 2027-01-31T12:00:00Z (got '{text}').");
        }
        return Timestamp.FromDateTimeOffset(value);
    }
}
