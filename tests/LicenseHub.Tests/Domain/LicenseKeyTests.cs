using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Tests.Domain;

public sealed class LicenseKeyTests
{
    [Fact]
    public void Generate_ProducesReadableGroupsThatNormalise()
    {
        var key = LicenseKey.Generate();
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){5}$", key);
        Assert.True(LicenseKey.TryNormalize(key.ToLowerInvariant(), out var normalized));
        Assert.Equal(key.Replace("-", ""), normalized);
    }

    [Fact]
    public void TryNormalize_AnySingleCharacterTypo_IsCaughtMostOfTheTime()
    {
        var caught = 0;
        var total = 0;
        for (var k = 0; k < 50; k++)
        {
            var key = LicenseKey.Generate().Replace("-", "");
            for (var i = 0; i < key.Length; i++)
            {
                var typo = key.ToCharArray();
                typo[i] = typo[i] == 'A' ? 'B' : 'A';
                total++;
                if (!LicenseKey.TryNormalize(new string(typo), out _))
                {
                    caught++;
                }
            }
        }
        // 10 check bits: about 1 in 1,000 typos slips through.
        Assert.True(caught >= total * 0.99, $"{caught}/{total} typos caught");
    }

    [Theory]
    [InlineData("")]
    [InlineData("ABCDE")]
    [InlineData("ABCDE-ABCDE-ABCDE-ABCDE-ABCDE-ABCDE-ABCDE")]
    [InlineData("ABCDE-ABCDE-ABCDE-ABCDE-ABCDE-ABCD!")]
    public void TryNormalize_Malformed_IsRefused(string input) => Assert.False(LicenseKey.TryNormalize(input, out _));

    [Fact]
    public void TryNormalize_CrockfordLookAlikes_AreAccepted()
    {
        var key = LicenseKey.Generate().Replace("-", "");
        var withLookAlikes = key.Replace('0', 'O').Replace('1', 'I');
        Assert.True(LicenseKey.TryNormalize(withLookAlikes, out var normalized));
        Assert.Equal(key, normalized);
    }

    [Theory]
    [InlineData("jane@example.com", PersonalDataKind.Email)]
    [InlineData("+49 30 1234567", PersonalDataKind.Phone)]
    [InlineData("call 555-123-4567", PersonalDataKind.Phone)]
    [InlineData("10.0.0.1", PersonalDataKind.IPv4)]
    [InlineData("fe80::1ff:fe23:4567:890a", PersonalDataKind.IPv6)]
    [InlineData("00:1A:2B:3C:4D:5E", PersonalDataKind.MacAddress)]
    [InlineData("web01.customer-example.com", PersonalDataKind.HostName)]
    public void PersonalDataPatterns_Find_RecognisesEachKind(string value, PersonalDataKind kind) =>
        Assert.Contains(kind, PersonalDataPatterns.Find(value));

    [Theory]
    [InlineData("WHMCS-4711")]
    [InlineData("client-1029384756")]
    [InlineData("1.4.2")]
    [InlineData("2.0.0-rc.1")]
    [InlineData("order-2024-11-26")]
    public void PersonalDataPatterns_Find_IgnoresOpaqueIdsAndVersions(string value) =>
        Assert.Empty(PersonalDataPatterns.Find(value));
}
