using System.CommandLine;
using Grpc.Core;

namespace LicenseHub.Cli;

/// <summary>Shared by all commands: the global options and the one way a command calls the server.</summary>
public sealed class CliContext(GlobalOptions globals, CliEnvironment environment)
{
    public GlobalOptions Globals { get; } = globals;

    public CliEnvironment Environment { get; } = environment;

    /// <summary>Sets an action that talks to the server; its errors become messages and exit codes.</summary>
    public void SetCall(Command command, Func<Session, ParseResult, CancellationToken, Task> call) =>
        SetCall(command, async (session, parse, ct) =>
        {
            await call(session, parse, ct);
            return ExitCodes.Ok;
        });

    public void SetCall(Command command, Func<Session, ParseResult, CancellationToken, Task<int>> call) =>
        command.SetAction(async (parse, ct) =>
        {
            Session session;
            try
            {
                session = Session.Open(Globals, parse, Environment);
            }
            catch (UsageException ex)
            {
                return Usage(ex);
            }
            using (session)
            {
                try
                {
                    return await call(session, parse, ct);
                }
                catch (UsageException ex)
                {
                    return Usage(ex);
                }
                catch (RpcException ex)
                {
                    return ErrorReporter.Report(ex, session.Server, Environment.Error);
                }
            }
        });

    private int Usage(UsageException exception)
    {
        Environment.Error.WriteLine("lhctl: " + exception.Message);
        return ExitCodes.Usage;
    }
}
