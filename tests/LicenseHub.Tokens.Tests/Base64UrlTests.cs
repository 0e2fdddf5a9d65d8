namespace LicenseHub.Tokens.Tests;

public sealed class Base64UrlTests
{
    [Theory]
    [InlineData(new byte[0], "")]
    [InlineData(new byte[] { 0xfb }, "-w")]
    [InlineData(new byte[] { 0xfb, 0xff }, "-_8")]
    [InlineData(new byte[] { 0xfb, 0xff, 0xbf }, "-_-_")]
    public void Encode_Bytes_UsesUrlAlphabetWithoutPadding(byte[] data, string expected)
    {
        Assert.Equal(expected, Base64Url.Encode(data));
        Assert.Equal(data, Base64Url.Decode(expected));
    }

    [Theory]
    [InlineData("-w==")] // padding
    [InlineData("+w")] // standard alphabet
    [InlineData("/w")]
    [InlineData("-w ")] // whitespace
    [InlineData("A")] // impossible length
    [InlineData("-x")] // non-zero trailing bits: a second spelling of 0xfb
    [InlineData("-_9")]
    public void Decode_NonCanonicalText_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => Base64Url.Decode(text));
    }
}
