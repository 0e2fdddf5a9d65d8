namespace LicenseHub.Cli;

/// <summary>Process exit codes; scripts branch on them, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The server answered and refused the request (invalid input, not found, no permission, ...).</summary>
    public const int ServerRefused = 1;

    /// <summary>The command line was wrong; nothing was sent to the server.</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached, or answered that it cannot serve now (UNAVAILABLE: its storage failed); retry later.</summary>
    public const int Unreachable = 3;

    /// <summary>
    /// A verification the server carried out failed: the audit chain is broken (audit verify), or values that
    /// look like personal data were found where none may be (audit scan).
    /// </summary>
    public const int VerificationFailed = 4;

    /// <summary>
    /// A change that costs money or cannot be undone (renew, change-plan, reissue-key, return) was shown with its price
    /// and not confirmed: the answer was not yes, or there was no answer (no terminal and no --yes). Nothing was done.
    /// </summary>
    public const int NotConfirmed = 5;
}
