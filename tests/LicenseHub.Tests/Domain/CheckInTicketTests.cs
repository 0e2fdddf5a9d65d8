using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Tests.Domain;

/// <summary>The ticket rule of <see cref="Installation.PresentTicket"/>, one transition at a time.</summary>
public sealed class CheckInTicketTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Here = new('a', 64);

    /// <summary>An installation and the agent's side of it: the ticket each copy holds.</summary>
    private sealed class Copies
    {
        public Installation Installation { get; }
        private readonly Dictionary<string, string?> _held = [];

        public Copies(params string[] names)
        {
            var first = CheckInTicket.New();
            Installation = Installation.Activate(Guid.NewGuid(), new AgentReport(Here, "8.2.1", "1.0.0", TelemetryLevel.Required), [1],
                CheckInTicket.Hash(first), Now);
            foreach (var name in names)
            {
                _held[name] = first;
            }
        }

        /// <summary>One check-in of <paramref name="copy"/>; the copy keeps a new ticket unless the answer is lost.</summary>
        public ValidationCode CheckIn(string copy, ValidationCode licenseAnswer = ValidationCode.Valid, bool answerLost = false, bool sendTicket = true)
        {
            var next = CheckInTicket.New();
            var presented = sendTicket && _held[copy] is { } held ? CheckInTicket.Hash(held) : null;
            var answer = Installation.PresentTicket(presented, licenseAnswer, CheckInTicket.Hash(next), Now);
            if (answer == ValidationCode.Valid && !answerLost)
            {
                _held[copy] = next;
            }
            return answer;
        }
    }

    [Fact]
    public void PresentTicket_OneMachineCheckingIn_IsValidEveryTime()
    {
        var copies = new Copies("a");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
        }
        Assert.Null(copies.Installation.CloneSuspectedAt);
    }

    [Fact]
    public void PresentTicket_TwoCopiesAlternating_AreSuspectedAtTheSecondInterval()
    {
        var copies = new Copies("a", "b");

        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
        // The previous ticket while A's new one never came back: to the server, a lost answer.
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("b"));
        Assert.Equal(ValidationCode.CloneSuspected, copies.CheckIn("a"));
        Assert.Equal(Now, copies.Installation.CloneSuspectedAt);
        // From then on every copy, whatever it presents.
        Assert.Equal(ValidationCode.CloneSuspected, copies.CheckIn("b"));
        Assert.Equal(ValidationCode.CloneSuspected, copies.CheckIn("a"));
    }

    [Fact]
    public void PresentTicket_AnswersLostOnceOrTwice_AreNoAlarm()
    {
        var copies = new Copies("a");

        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a", answerLost: true));
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a", answerLost: true));
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a", answerLost: true));
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
        Assert.Null(copies.Installation.CloneSuspectedAt);
    }

    [Fact]
    public void PresentTicket_RefusedCheckIns_KeepTheTicketAndStillNoticeACopy()
    {
        var copies = new Copies("a", "b");
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));

        // Suspended: no new ticket, so A presents the same one again, and that is fine.
        Assert.Equal(ValidationCode.Suspended, copies.CheckIn("a", ValidationCode.Suspended));
        Assert.Equal(ValidationCode.Suspended, copies.CheckIn("a", ValidationCode.Suspended));
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
        // B's ticket is two behind.
        Assert.Equal(ValidationCode.CloneSuspected, copies.CheckIn("b", ValidationCode.Suspended));
    }

    [Fact]
    public void PresentTicket_PreviousTicketAfterTheCurrentCameBack_IsACopy()
    {
        var copies = new Copies("a", "b");
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
        Assert.Equal(ValidationCode.Suspended, copies.CheckIn("a", ValidationCode.Suspended));

        // B still holds the first ticket, the previous one; but A presented the current one, so no answer was lost.
        Assert.Equal(ValidationCode.CloneSuspected, copies.CheckIn("b", ValidationCode.Suspended));
    }

    [Fact]
    public void PresentTicket_AgentThatNeverSendsOne_IsNeverSuspected_ButStoppingAfterSendingIs()
    {
        var older = new Copies("a", "b");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(ValidationCode.Valid, older.CheckIn(i % 2 == 0 ? "a" : "b", sendTicket: false));
        }
        Assert.Null(older.Installation.CloneSuspectedAt);

        var newer = new Copies("a");
        Assert.Equal(ValidationCode.Valid, newer.CheckIn("a"));
        Assert.Equal(ValidationCode.CloneSuspected, newer.CheckIn("a", sendTicket: false));
    }

    [Fact]
    public void PresentTicket_NoTicketHeldHere_StartsOver_AndACopyIsNoticedAfterwards()
    {
        var copies = new Copies("a", "b");
        copies.CheckIn("a");
        // An operator reset the tickets (after restoring a backup older than these check-ins).
        copies.Installation.RestoreTicketState(copies.Installation.TicketState() with { Current = null, Previous = null, CurrentPresented = false });

        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
        Assert.Equal(ValidationCode.CloneSuspected, copies.CheckIn("b"));
    }

    [Fact]
    public void PresentTicket_FromAnotherMachine_LeavesTheTicketsAlone()
    {
        var copies = new Copies("a", "b");
        var before = copies.Installation.TicketState();

        Assert.Equal(ValidationCode.FingerprintMismatch, copies.CheckIn("b", ValidationCode.FingerprintMismatch));

        Assert.Equal(before, copies.Installation.TicketState());
        Assert.Equal(ValidationCode.Valid, copies.CheckIn("a"));
    }

    [Fact]
    public void ResolveClone_EndsTheSuspicionAndVoidsCredentialAndTickets()
    {
        var copies = new Copies("a", "b");
        copies.CheckIn("a");
        copies.CheckIn("b");
        Assert.Equal(ValidationCode.CloneSuspected, copies.CheckIn("a"));
        Assert.Throws<InvalidOperationException>(() => copies.Installation.Reactivate([3], [4]));

        copies.Installation.ResolveClone();

        Assert.Null(copies.Installation.CloneSuspectedAt);
        Assert.Null(copies.Installation.CheckInTicketHash);
        Assert.Null(copies.Installation.PreviousCheckInTicketHash);
        Assert.False(InstallationSecret.Matches(copies.Installation.SecretHash, ""));
        Assert.Empty(copies.Installation.SecretHash);
        var ticket = CheckInTicket.New();
        copies.Installation.Reactivate(InstallationSecret.Hash("new"), CheckInTicket.Hash(ticket));
        Assert.True(InstallationSecret.Matches(copies.Installation.SecretHash, "new"));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("012345678901234567890123456789012345678901+")]
    [InlineData("012345678901234567890123456789012345678901=")]
    [InlineData("012345678901234567890123456789012345678901 ")]
    [InlineData("01234567890123456789012345678901234567890112")]
    public void Validate_NotATicket_NamesTheField(string value)
    {
        var v = new Validator();
        Assert.Null(CheckInTicket.Validate(v, "check_in_ticket", value));
        Assert.Equal("check_in_ticket", Assert.Single(v.Violations).Field);
    }

    [Fact]
    public void Validate_IssuedTicketOrNone_IsAccepted()
    {
        var v = new Validator();
        var ticket = CheckInTicket.New();
        Assert.Equal(CheckInTicket.Length, ticket.Length);
        Assert.Equal(ticket, CheckInTicket.Validate(v, "check_in_ticket", ticket));
        Assert.Null(CheckInTicket.Validate(v, "check_in_ticket", ""));
        Assert.Empty(v.Violations);
    }
}
