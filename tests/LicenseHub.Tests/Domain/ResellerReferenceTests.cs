using CsCheck;
using LicenseHub.Domain;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Licensing;

namespace LicenseHub.Tests.Domain;

/// <summary>A reseller reference is an opaque identifier; every shape of personal data we can think of is refused.</summary>
public sealed class ResellerReferenceTests
{
    private const string Field = "assignments[0].reseller_reference";

    private static readonly Gen<string> Word = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz"], 2, 10];
    private static readonly Gen<string> Digits = Gen.Int[0, 9].Select(d => d.ToString());

    private static Gen<string> DigitRun(int min, int max) => Gen.Int[min, max].SelectMany(n => Gen.String[Gen.Char["0123456789"], n, n]);

    private static readonly Gen<string> Emails = Gen.Select(Word, Word, Gen.OneOf("com", "de", "co.uk", "test", "localhost"), Gen.OneOf(".", "_", "+", ""))
        .Select((local, domain, tld, sep) => tld == "localhost" ? $"{local}@localhost" : $"{local}{sep}{local}@{domain}.{tld}");

    // National and international forms: DE, US, UK, FR, JP, plain digit runs of 7+ digits.
    private static readonly Gen<string> Phones = Gen.OneOf(
        Gen.Select(DigitRun(2, 4), DigitRun(5, 8), Gen.OneOf(" ", "-", "/", ".", "")).Select((area, number, sep) => $"0{area}{sep}{number}"),
        Gen.Select(DigitRun(3, 3), DigitRun(3, 3), DigitRun(4, 4), Gen.OneOf("-", ".", " ")).Select((a, b, c, sep) => $"{a}{sep}{b}{sep}{c}"),
        Gen.Select(DigitRun(3, 3), DigitRun(3, 3), DigitRun(4, 4)).Select((a, b, c) => $"({a}) {b}-{c}"),
        Gen.Select(Gen.OneOf("+49", "+44", "+33", "+81", "+1", "0049", "+49-"), DigitRun(2, 3), DigitRun(6, 8), Gen.OneOf(" ", "-", ""))
            .Select((cc, area, number, sep) => $"{cc}{sep}{area}{sep}{number}"),
        Gen.Select(DigitRun(2, 2), DigitRun(2, 2), DigitRun(2, 2), DigitRun(2, 2)).Select((a, b, c, d) => $"06 {a} {b} {c} {d}"),
        Gen.Select(DigitRun(1, 2), DigitRun(4, 4), DigitRun(4, 4)).Select((a, b, c) => $"0{a}-{b}-{c}"),
        DigitRun(7, 15));

    private static readonly Gen<string> NameFields = Gen.Select(Gen.OneOf("first_name", "last_name", "name", "full_name", "fullName", "given-name",
            "surname", "user_name", "customer_name", "contact.name"), Word, Gen.OneOf(":", "="), Gen.Bool)
        .Select((key, value, sep, json) => json ? $"{{\"{key}\":\"{value}\"}}" : $"{key}{sep}{value}");

    private static readonly Gen<string> IPs = Gen.OneOf(
        Gen.Select(Gen.Int[1, 255], Gen.Int[0, 255], Gen.Int[0, 255], Gen.Int[0, 255]).Select((a, b, c, d) => $"{a}.{b}.{c}.{d}"),
        Gen.Select(Gen.UShort, Gen.UShort, Gen.UShort).Select((a, b, c) => $"2001:db8:{a:x}:{b:x}::{c:x}"),
        Gen.Select(Gen.UShort, Gen.UShort).Select((a, b) => $"fe80::{a:x}:{b:x}"),
        Gen.UShort.Array[8, 8].Select(groups => string.Join(":", groups.Select(g => g.ToString("x4")))));

    private static readonly Gen<string> Macs = Gen.Select(Gen.Byte.Array[6, 6], Gen.OneOf(":", "-", "."))
        .Select((b, sep) => sep == "." ? $"{b[0]:x2}{b[1]:x2}.{b[2]:x2}{b[3]:x2}.{b[4]:x2}{b[5]:x2}" : string.Join(sep, b.Select(x => x.ToString("X2"))));

    private static readonly Gen<string> HostNames = Gen.Select(Word, Word, Gen.OneOf("com", "de", "net", "example", "lan"), Gen.Bool)
        .Select((host, domain, tld, sub) => sub ? $"{host}01.{domain}.{tld}" : $"{domain}.{tld}");

    private static readonly Gen<string> Personal = Gen.OneOf(Emails, Phones, NameFields, IPs, Macs, HostNames);

    private static readonly Gen<string> OpaqueIds = Gen.OneOf(
        Gen.Int[0, 99_999_999].Select(n => $"cust-{n}"),
        Gen.Guid.Select(g => g.ToString()),
        Gen.Guid.Select(g => g.ToString("N")),
        Gen.Int[1, 9_999_999].Select(n => $"whmcs:service:{n}"),
        Gen.Int[1, 99_999].Select(n => $"WHMCS-{n}"),
        Gen.Select(Gen.Int[2020, 2030], Gen.Int[1, 12], Gen.Int[1, 28]).Select((y, m, d) => $"order-{y}-{m:00}-{d:00}"),
        Gen.Int[0, 9999].Select(n => $"srv_{n:0000}"),
        Gen.Int[1, 999_999].Select(n => $"acme.client.{n}"));

    private static IReadOnlyList<FieldViolation> Check(string value)
    {
        var v = new Validator();
        ResellerReference.Validate(v, Field, value);
        return v.Violations;
    }

    [Fact]
    public void Validate_PersonalDataOfEveryShape_IsRefused_WithoutEchoingIt()
    {
        Personal.Sample(value =>
        {
            var violations = Check(value);
            return violations.Count == 1 && violations[0].Field == Field && violations[0].Description.Contains("opaque customer id", StringComparison.Ordinal)
                && !violations[0].Description.Contains(value, StringComparison.Ordinal);
        }, iter: 5000);
    }

    [Fact]
    public void Validate_OpaqueIds_AreAccepted()
    {
        OpaqueIds.Sample(value => Check(value).Count == 0, iter: 5000);
    }

    // The variants a new user got stored before the reference became an identifier.
    [Theory]
    [InlineData("{\"first_name\":\"Jane\"}")]
    [InlineData("user@localhost")]
    [InlineData("030 1234567")]
    [InlineData("030/1234567")]
    [InlineData("0171-1234567")]
    [InlineData("020 7946 0958")]
    [InlineData("06 12 34 56 78")]
    [InlineData("03-1234-5678")]
    [InlineData("1234567")]
    [InlineData("example.com")]
    [InlineData("jane.doe")]
    [InlineData("first_name:Jane")]
    [InlineData("001a.2b3c.4d5e")]
    public void Validate_ShapesAcceptedBefore_AreRefused(string value) => Assert.Single(Check(value));

    [Fact]
    public void Validate_Empty_IsAccepted() => Assert.Empty(Check(""));
}
