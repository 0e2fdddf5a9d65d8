namespace LicenseHub.Agent;

/// <summary>Process exit codes of lh-agent; the table is printed by <c>lh-agent --help</c> and in README.md.</summary>
internal static class ExitCodes
{
    /// <summary>Licensed, or the command succeeded.</summary>
    public const int Ok = 0;

    /// <summary>Not licensed, not activated, or the server refused the request (at check-in: with a signed status).</summary>
    public const int NotLicensed = 1;

    /// <summary>Bad command line, a value the server rejected as invalid, or plain http:// to a server off this machine.</summary>
    public const int Usage = 2;

    /// <summary>The license server could not be reached, failed, asked to retry later, or refused a check-in without a valid signed status.</summary>
    public const int ServerUnreachable = 3;

    /// <summary>The state file or machine id is missing, unreadable, corrupt or not writable, or there is no trust anchor.</summary>
    public const int StateProblem = 4;

    /// <summary>
    /// Licensed, but not for what 'check' was asked: the license lacks a feature of <c>--feature</c>, or its maintenance
    /// ended before the release date of <c>--released</c>.
    /// </summary>
    public const int NotEntitled = 5;

    public const string HelpTable =
        """
        Exit codes:
          0  licensed / command succeeded
          1  not licensed (reason on stderr), not activated, or refused by the server
          2  usage error (bad arguments, a value the server rejected as invalid, or plain http:// off this machine)
          3  license server unreachable or failing, too many attempts (retry later), or a check-in refused
             without a valid signed status (treated as offline; the token is kept)
          4  state problem (state file corrupt, unreadable or not writable; machine id unreadable; no trust anchor)
          5  licensed, but not entitled to what 'check' was asked: a feature of --feature is missing, or the
             maintenance ended before the release date of --released (reason on stderr)
        """;
}
