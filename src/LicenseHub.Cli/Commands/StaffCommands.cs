using System.CommandLine;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl staff …  : portal sign-ins (vendor admin key).</summary>
public static class StaffCommands
{
    public static Command Create(CliContext cli)
    {
        var staff = new Command("staff", "People who sign in to the web portal (vendor admin key).");
        staff.Add(CreateUser(cli));
        return staff;
    }

    private static Command CreateUser(CliContext cli)
    {
        var email = new Option<string>("--email") { Description = "E-mail address: the sign-in name.", Required = true };
        var name = new Option<string>("--name") { Description = "How the person is addressed in the portal.", Required = true };
        var role = new Option<string>("--role")
        {
            Description = "admin or auditor (vendor staff); owner, manager or viewer (with --reseller).",
            Required = true,
        };
        role.AcceptOnlyFromAmong("admin", "auditor", "owner", "manager", "viewer");
        var reseller = new Option<string?>("--reseller") { Description = "Id of the reseller, for reseller staff.", HelpName = "ID" };
        var command = new Command("create", "Create a portal sign-in. Its one-time initial password is shown once.") { email, name, role, reseller };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Vendor.CreateStaffUserAsync(new CreateStaffUserRequest
            {
                Email = parse.GetValue(email)!,
                DisplayName = parse.GetValue(name)!,
                ResellerId = parse.GetValue(reseller) ?? "",
                Role = parse.GetValue(role) switch
                {
                    "admin" => ApiKeyRole.VendorAdmin,
                    "auditor" => ApiKeyRole.VendorAuditor,
                    "owner" => ApiKeyRole.Owner,
                    "manager" => ApiKeyRole.Manager,
                    _ => ApiKeyRole.Viewer,
                },
            }, cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                o.WriteLine($"Created portal sign-in {response.User.Id} for {response.User.Email}.");
                o.WriteLine("Initial password (shown only now; to be changed at the first sign-in):");
                o.WriteLine();
                o.WriteLine($"  {response.InitialPassword}");
            });
        });
        return command;
    }
}
