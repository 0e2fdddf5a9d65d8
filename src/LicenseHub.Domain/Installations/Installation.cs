using LicenseHub.Domain.Classification;
using LicenseHub.Domain.Licensing;

namespace LicenseHub.Domain.Installations;

/// <summary>What an agent chose to share beyond the required fields.</summary>
public enum TelemetryLevel
{
    /// <summary>Fingerprint, product version, agent version only.</summary>
    Required,
    /// <summary>Also OS family, OS version, CPU architecture, CPU core count.</summary>
    Basic,
}

/// <summary>Operating system family reported at telemetry level basic.</summary>
public enum OsFamily
{
    /// <summary>Linux.</summary>
    Linux,
    /// <summary>Windows.</summary>
    Windows,
    /// <summary>macOS.</summary>
    MacOS,
    /// <summary>FreeBSD.</summary>
    FreeBsd,
}

/// <summary>CPU architecture reported at telemetry level basic.</summary>
public enum CpuArchitecture
{
    /// <summary>x86-64.</summary>
    X64,
    /// <summary>ARM64.</summary>
    Arm64,
    /// <summary>x86.</summary>
    X86,
    /// <summary>32-bit ARM.</summary>
    Arm,
}

/// <summary>
/// One machine using a license, known only by a pseudonymous fingerprint (an HMAC the agent computes;
/// the raw machine id never reaches the server). No personal data by construction.
/// </summary>
[EndUserData]
public sealed class Installation
{
    [OperationalData, Purpose("identify the installation"), Retention(Retention.InstallationLifetime)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("license used"), Retention(Retention.InstallationLifetime)]
    public Guid LicenseId { get; set; }

    [PseudonymousData, Purpose("count machines per license; bind tokens to a machine"), Retention(Retention.InstallationLifetime)]
    public required string Fingerprint { get; set; }

    [SecretData, Purpose("authenticate check-ins (SHA-256 of the installation secret)"), Retention(Retention.InstallationLifetime)]
    public required byte[] SecretHash { get; set; }

    [TechnicalData, Purpose("support and compatibility"), Retention(Retention.InstallationLifetime)]
    public required string ProductVersion { get; set; }

    [TechnicalData, Purpose("support and compatibility"), Retention(Retention.InstallationLifetime)]
    public required string AgentVersion { get; set; }

    [TechnicalData, Purpose("consent given by the agent's operator"), Retention(Retention.InstallationLifetime)]
    public TelemetryLevel TelemetryLevel { get; set; }

    [TechnicalData, Purpose("compatibility statistics (telemetry level basic only)"), Retention(Retention.InstallationLifetime)]
    public OsFamily? OsFamily { get; set; }

    [TechnicalData, Purpose("compatibility statistics (telemetry level basic only)"), Retention(Retention.InstallationLifetime)]
    public string? OsVersion { get; set; }

    [TechnicalData, Purpose("compatibility statistics (telemetry level basic only)"), Retention(Retention.InstallationLifetime)]
    public CpuArchitecture? CpuArchitecture { get; set; }

    [TechnicalData, Purpose("compatibility statistics (telemetry level basic only)"), Retention(Retention.InstallationLifetime)]
    public int? CpuCores { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.InstallationLifetime)]
    public DateTimeOffset ActivatedAt { get; set; }

    [OperationalData, Purpose("release silent installations"), Retention(Retention.InstallationLifetime)]
    public DateTimeOffset LastCheckInAt { get; set; }

    [SecretData, Purpose("notice copied installations (SHA-256 of the check-in ticket issued last)"), Retention(Retention.InstallationLifetime)]
    public byte[]? CheckInTicketHash { get; set; }

    [SecretData, Purpose("accept a check-in retried after its answer was lost (SHA-256 of the ticket before)"), Retention(Retention.InstallationLifetime)]
    public byte[]? PreviousCheckInTicketHash { get; set; }

    [OperationalData, Purpose("tell a retried check-in from a copy (the ticket issued last came back)"), Retention(Retention.InstallationLifetime)]
    public bool CheckInTicketPresented { get; set; }

    [OperationalData, Purpose("show the reseller an installation running on copies, and since when"), Retention(Retention.InstallationLifetime)]
    public DateTimeOffset? CloneSuspectedAt { get; set; }

    [OperationalData, Purpose("keep the seat of a machine licensed by an offline file, which never checks in, while the file is valid"),
     Retention(Retention.InstallationLifetime)]
    public DateTimeOffset? OfflineFileExpiresAt { get; set; }

    [PseudonymousData, Purpose("answer a check-in with the token issued last while it is fresh and its claims still hold (bound to the fingerprint; not a secret)"),
     Retention(Retention.InstallationLifetime)]
    public string? CurrentToken { get; set; }

    [OperationalData, Purpose("refresh the kept token at half its lifetime"), Retention(Retention.InstallationLifetime)]
    public DateTimeOffset? CurrentTokenIssuedAt { get; set; }

    [OperationalData, Purpose("refresh the kept token at half its lifetime"), Retention(Retention.InstallationLifetime)]
    public DateTimeOffset? CurrentTokenExpiresAt { get; set; }

    [OperationalData, Purpose("tell whether the kept token's claims and signing key still hold (SHA-256 of them)"), Retention(Retention.InstallationLifetime)]
    public byte[]? CurrentTokenClaimsHash { get; set; }

    /// <summary>
    /// True when the kept token may answer a check-in at <paramref name="now"/>: it says what a new one would say
    /// (<paramref name="claimsHash"/>, which covers the signing key too) and has more than half its lifetime left.
    /// </summary>
    public bool CanReuseToken(ReadOnlySpan<byte> claimsHash, DateTimeOffset now) =>
        CurrentToken is not null && CurrentTokenClaimsHash is { } kept && kept.AsSpan().SequenceEqual(claimsHash)
        && CurrentTokenIssuedAt is { } issued && CurrentTokenExpiresAt is { } expires
        && now >= issued && now - issued < (expires - issued) / 2;

    /// <summary>Keeps the token a check-in answered with, for the check-ins that follow it.</summary>
    public void KeepToken(string token, byte[] claimsHash, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        CurrentToken = token;
        CurrentTokenClaimsHash = claimsHash;
        CurrentTokenIssuedAt = issuedAt;
        CurrentTokenExpiresAt = expiresAt;
    }

    /// <summary>
    /// The installations retention releases at <paramref name="now"/>: silent since <paramref name="silentCutoff"/>,
    /// except machines whose offline license file is still valid (they never check in, and paid for their seat).
    /// </summary>
    public static System.Linq.Expressions.Expression<Func<Installation, bool>> Releasable(DateTimeOffset silentCutoff, DateTimeOffset now) =>
        i => i.LastCheckInAt < silentCutoff && (i.OfflineFileExpiresAt == null || i.OfflineFileExpiresAt <= now);

    /// <summary>An offline license file valid until <paramref name="expiresAt"/> now licenses this machine; a later file extends it.</summary>
    public void LicensedOfflineUntil(DateTimeOffset expiresAt)
    {
        if (OfflineFileExpiresAt is null || OfflineFileExpiresAt < expiresAt)
        {
            OfflineFileExpiresAt = expiresAt;
        }
    }

    /// <summary>
    /// The installation of a machine activated now, with the hash of the ticket for its first check-in (none for a
    /// machine that never checks in); its first check-in is recorded with <see cref="RecordCheckIn"/>.
    /// </summary>
    public static Installation Activate(Guid licenseId, AgentReport report, byte[] secretHash, byte[]? ticketHash, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        LicenseId = licenseId,
        Fingerprint = report.Fingerprint,
        SecretHash = secretHash,
        CheckInTicketHash = ticketHash,
        ProductVersion = report.ProductVersion,
        AgentVersion = report.AgentVersion,
        ActivatedAt = now,
        LastCheckInAt = now,
    };

    /// <summary>
    /// The same machine activating again: same installation, a new credential and a new first ticket (the old
    /// ones stop working). Never for a suspected copy: activation answers <see cref="ValidationCode.CloneSuspected"/> first.
    /// </summary>
    public void Reactivate(byte[] secretHash, byte[] ticketHash)
    {
        if (CloneSuspectedAt is not null)
        {
            throw new InvalidOperationException("A suspected copy is re-activated by its reseller, not by an agent.");
        }
        SecretHash = secretHash;
        StartTickets(ticketHash);
    }

    /// <summary>Whether the agent has ever presented a ticket: it knows tickets, so a check-in without one is not its own.</summary>
    public bool PresentsTickets => PreviousCheckInTicketHash is not null || CheckInTicketPresented;

    /// <summary>
    /// Decides a check-in's ticket, before it is recorded: <paramref name="code"/> is the answer of the license
    /// checks, <paramref name="presentedHash"/> the hash of the ticket the agent sent (null: none),
    /// <paramref name="nextTicketHash"/> the hash of the ticket a VALID answer hands out. Returns the answer;
    /// a VALID one carries the next ticket.
    /// <list type="bullet">
    /// <item>The ticket issued last: fine; it becomes the previous one.</item>
    /// <item>The previous ticket while the last one never came back: the answer that carried it was lost, or
    /// this is an immediate retry: fine, without an alarm; the previous one stays, so a second loss is fine too.</item>
    /// <item>No ticket from an agent that never sent one: an agent that does not know tickets, never suspected.</item>
    /// <item>Whatever is presented while no ticket is held here: tickets start again.</item>
    /// <item>Anything else (an older ticket, an unknown one, none from an agent that sent them): another machine
    /// holds this installation's state. The installation is suspected from <paramref name="now"/> on.</item>
    /// </list>
    /// Two copies alternating are noticed by the second interval: A presents t1 and gets t2a; B presents t1,
    /// the previous ticket while t2a never came back, and gets t2b; A presents t2a, which is neither.
    /// </summary>
    public ValidationCode PresentTicket(byte[]? presentedHash, ValidationCode code, byte[] nextTicketHash, DateTimeOffset now)
    {
        // Another machine's report describes that machine: its credential is refused, and this installation's
        // tickets are left as they are.
        if (code == ValidationCode.FingerprintMismatch)
        {
            return code;
        }
        if (CloneSuspectedAt is not null || code == ValidationCode.CloneSuspected)
        {
            return ValidationCode.CloneSuspected;
        }
        var current = presentedHash is not null && Same(presentedHash, CheckInTicketHash);
        var retried = !current && presentedHash is not null && !CheckInTicketPresented && Same(presentedHash, PreviousCheckInTicketHash);
        var unaware = presentedHash is null && !PresentsTickets;
        // No ticket held here (an installation from before tickets, or one whose tickets an operator reset after
        // restoring a backup): tickets start again with this check-in.
        var startOver = CheckInTicketHash is null;
        if (!current && !retried && !unaware && !startOver)
        {
            CloneSuspectedAt = now;
            return ValidationCode.CloneSuspected;
        }
        if (code != ValidationCode.Valid)
        {
            // No new ticket with a refusal: the agent presents this one again.
            CheckInTicketPresented |= current;
            return code;
        }
        if (current)
        {
            PreviousCheckInTicketHash = CheckInTicketHash;
        }
        CheckInTicketHash = nextTicketHash;
        CheckInTicketPresented = false;
        return code;
    }

    /// <summary>
    /// The reseller re-activates a suspected copy: the suspicion ends, and the credential and tickets every copy
    /// holds stop working, so the next activation with the license key takes the installation over.
    /// </summary>
    public void ResolveClone()
    {
        CloneSuspectedAt = null;
        SecretHash = InstallationSecret.Voided;
        StartTickets(null);
    }

    /// <summary>What a check-in's decision was taken from: a writer records it only while the row still holds this.</summary>
    public CheckInTicketState TicketState() => new(SecretHash, CheckInTicketHash, PreviousCheckInTicketHash, CheckInTicketPresented, CloneSuspectedAt);

    /// <summary>Puts back what <see cref="TicketState"/> returned, or what was read anew, before deciding again.</summary>
    public void RestoreTicketState(CheckInTicketState state)
    {
        SecretHash = state.SecretHash;
        CheckInTicketHash = state.Current;
        PreviousCheckInTicketHash = state.Previous;
        CheckInTicketPresented = state.CurrentPresented;
        CloneSuspectedAt = state.CloneSuspectedAt;
    }

    /// <summary>
    /// The columns a check-in's write is conditional on: the credential, the ticket issued last, whether it came
    /// back and the suspicion. Each change of a ticket changes one of them, so of two check-ins decided from the
    /// same row only the first is written; the other is decided again from what the first left.
    /// </summary>
    public static IReadOnlyList<string> TicketGuardColumns { get; } =
        [nameof(SecretHash), nameof(CheckInTicketHash), nameof(CheckInTicketPresented), nameof(CloneSuspectedAt)];

    private void StartTickets(byte[]? ticketHash)
    {
        CheckInTicketHash = ticketHash;
        PreviousCheckInTicketHash = null;
        CheckInTicketPresented = false;
    }

    private static bool Same(byte[] presented, byte[]? stored) =>
        stored is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(presented, stored);

    /// <summary>
    /// Applies one check-in (or activation) answered <paramref name="code"/> and returns its raw record. A
    /// check-in presented from another machine changes only the check-in time: what it reports describes
    /// that other machine, not this installation.
    /// </summary>
    public CheckIn RecordCheckIn(AgentReport report, string productCode, ValidationCode code, DateTimeOffset now)
    {
        LastCheckInAt = now;
        if (code != ValidationCode.FingerprintMismatch)
        {
            ProductVersion = report.ProductVersion;
            AgentVersion = report.AgentVersion;
            ApplyTelemetry(report);
        }
        return new CheckIn
        {
            InstallationId = Id,
            ProductCode = productCode,
            At = now,
            ProductVersion = report.ProductVersion,
            OsFamily = report.Level == TelemetryLevel.Basic ? report.OsFamily : null,
            Result = code.ToString(),
            Counted = true,
        };
    }

    /// <summary>
    /// The columns <see cref="RecordCheckIn"/> and <see cref="PresentTicket"/> change for <paramref name="code"/>:
    /// writers update exactly these.
    /// </summary>
    public static IReadOnlyList<string> CheckInColumns(ValidationCode code) => code == ValidationCode.FingerprintMismatch ? MismatchColumns : AllCheckInColumns;

    private static readonly string[] AllCheckInColumns =
    [
        nameof(LastCheckInAt), nameof(ProductVersion), nameof(AgentVersion), nameof(TelemetryLevel),
        nameof(OsFamily), nameof(OsVersion), nameof(CpuArchitecture), nameof(CpuCores),
        nameof(CheckInTicketHash), nameof(PreviousCheckInTicketHash), nameof(CheckInTicketPresented), nameof(CloneSuspectedAt),
        nameof(CurrentToken), nameof(CurrentTokenIssuedAt), nameof(CurrentTokenExpiresAt), nameof(CurrentTokenClaimsHash),
    ];

    private static readonly string[] MismatchColumns = [nameof(LastCheckInAt)];

    private void ApplyTelemetry(AgentReport report)
    {
        TelemetryLevel = report.Level;
        if (report.Level == TelemetryLevel.Required)
        {
            // Narrowing consent erases what was shared before, at this very check-in.
            EraseOptionalTelemetry();
            return;
        }
        OsFamily = report.OsFamily;
        OsVersion = report.OsVersion;
        CpuArchitecture = report.CpuArchitecture;
        CpuCores = report.CpuCores;
    }

    /// <summary>Drops every optional field: used when the level is (or becomes) required.</summary>
    public void EraseOptionalTelemetry()
    {
        OsFamily = null;
        OsVersion = null;
        CpuArchitecture = null;
        CpuCores = null;
    }
}

/// <summary>The credential and ticket columns of an installation, as one check-in read them.</summary>
/// <param name="SecretHash">SHA-256 of the installation secret.</param>
/// <param name="Current">SHA-256 of the ticket issued last.</param>
/// <param name="Previous">SHA-256 of the ticket before it.</param>
/// <param name="CurrentPresented">Whether the ticket issued last came back.</param>
/// <param name="CloneSuspectedAt">Since when the installation is suspected of running on copies.</param>
public sealed record CheckInTicketState(byte[] SecretHash, byte[]? Current, byte[]? Previous, bool CurrentPresented, DateTimeOffset? CloneSuspectedAt)
{
    /// <summary>The values of <see cref="Installation.TicketGuardColumns"/>, in their order.</summary>
    public object?[] GuardValues() => [SecretHash, Current, CurrentPresented, CloneSuspectedAt];
}
