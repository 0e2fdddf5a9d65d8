namespace LicenseHub.LoadGen;

public sealed record LoadOptions
{
    public required IReadOnlyList<string> Modes { get; init; }
    public int Rounds { get; init; } = 3;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
    public long MaxRequests { get; init; } = 2_000_000;
    public int Concurrency { get; init; } = 64;
    public int Connections { get; init; } = 4;
    public double PacedFraction { get; init; }

    /// <summary>Pace every mode of a round at one rate: <see cref="PacedFraction"/> of the slowest mode's maximum.</summary>
    public bool PacedSameRate { get; init; }
    public int Installations { get; init; } = 2_000;
    public int Activations { get; init; } = 2_000;
    public int AssignSize { get; init; } = 10_000;
    public string? CredentialsFile { get; init; }
    public string? SaveCredentials { get; init; }
    public bool StartServer { get; init; }
    public string? ServerDll { get; init; }
    public string? DataDirectory { get; init; }
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();
    public string? ServerUrl { get; init; }
    public string? VendorKeyFile { get; init; }
    public string? JsonOut { get; init; }
    public string Label { get; init; } = "";
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMinutes(30);

    public static readonly string[] KnownModes = ["health", "checkin", "activate", "assign"];
}
