using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Domain.Installations;

/// <summary>
/// The check-in ticket: a random value the server hands out with activation and every VALID check-in answer,
/// and the agent presents with its next check-in. It says nothing about the machine; it only lets the server
/// notice two machines presenting one installation's tickets out of turn (<see cref="Installation.PresentTicket"/>).
/// Only its SHA-256 is stored.
/// </summary>
public static class CheckInTicket
{
    /// <summary>The length of a ticket: 32 random bytes in unpadded base64url.</summary>
    public const int Length = 43;

    /// <summary>A new random ticket.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>What is stored of <paramref name="ticket"/>.</summary>
    public static byte[] Hash(string ticket) => SHA256.HashData(Encoding.ASCII.GetBytes(ticket));

    /// <summary>
    /// The ticket an agent presented, or null when it sent none (an agent that does not know tickets); a
    /// value that cannot be a ticket is a violation of <paramref name="field"/>.
    /// </summary>
    public static string? Validate(Validator v, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (value.Length != Length || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            v.Fail(field, $"must be the ticket of the last answer: {Length} base64url characters (A-Z, a-z, 0-9, - and _)");
            return null;
        }
        return value;
    }
}
