namespace LicenseHub.Cli;

/// <summary>A command line that parsed but cannot be sent (bad price, unreadable key file, ...).</summary>
public sealed class UsageException(string message) : Exception(message);
