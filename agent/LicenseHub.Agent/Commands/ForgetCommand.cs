using System.CommandLine;
using Grpc.Core;
using LicenseHub.Agent.State;
using LicenseHub.V1;

namespace LicenseHub.Agent.Commands;

internal static class ForgetCommand
{
    public static Command Create(AgentCommandLine cli)
    {
        var force = new Option<bool>("--force") { Description = "Delete the local state even when the server cannot be reached or the state is corrupt." };
        var command = new Command("forget", "Deactivate: delete this installation and its check-ins on the server, then delete the local state.") { force };
        command.SetAction((parse, ct) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() => ExecuteAsync(ctx, parse.GetValue(force), ct));
        });
        return command;
    }

    public static async Task<int> ExecuteAsync(AgentContext ctx, bool force, CancellationToken cancellationToken)
    {
        AgentState? state;
        try
        {
            state = ctx.Store.Load();
        }
        catch (AgentStateException e) when (force && e.IsCorrupt)
        {
            ctx.Log("warning: " + e.Message);
            ctx.Store.Delete();
            ctx.Out.WriteLine("local state deleted; the server was not contacted");
            return ExitCodes.Ok;
        }

        if (state is null)
        {
            ctx.Out.WriteLine("nothing to forget: not activated");
            return ExitCodes.Ok;
        }

        if (state.IsOnlineActivation)
        {
            AgentClient? client = null;
            try
            {
                client = AgentClient.ForState(state);
            }
            catch (InsecureTransportException e) when (force)
            {
                ctx.Log($"warning: {e.Message}. The server was not contacted (--force); it deletes the installation when its retention window ends");
            }

            if (client is not null)
            {
                using (client)
                {
                    var result = await DeactivateAsync(ctx, client, state, force, cancellationToken);
                    if (result is { } exitCode)
                    {
                        return exitCode;
                    }
                }
            }
        }

        using (ctx.Store.AcquireLock(TimeSpan.FromSeconds(10)))
        {
            ctx.Store.Delete();
        }

        ctx.Out.WriteLine("local state deleted");
        return ExitCodes.Ok;
    }

    /// <summary>Null when the local state may go; otherwise the exit code to stop with.</summary>
    private static async Task<int?> DeactivateAsync(AgentContext ctx, AgentClient client, AgentState state, bool force, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.DeactivateAsync(
                new DeactivateRequest { InstallationId = state.InstallationId, InstallationSecret = state.InstallationSecret },
                cancellationToken);
            ctx.Out.WriteLine(response.Deleted
                ? $"installation {state.InstallationId} deleted on the server; its license seat stays taken, with nothing about this "
                  + "machine, until your provider releases it (to move the license to another server, ask your provider)"
                : $"the server no longer knew installation {state.InstallationId}");
        }
        catch (LicenseServerException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            ctx.Out.WriteLine($"the server no longer knows installation {state.InstallationId} ({e.Problem})");
        }
        catch (LicenseServerException e) when (force)
        {
            ctx.Log($"warning: {e.Problem}; the local state is deleted anyway (--force), and the server deletes the installation when its retention window ends");
        }
        catch (LicenseServerException e) when (e.IsUnreachable)
        {
            return ctx.Fail(ExitCodes.ServerUnreachable,
                $"{e.Problem}; the local state is kept; {e.NextStep ?? "retry later"}, or delete the state without telling the server with --force");
        }

        return null;
    }
}
