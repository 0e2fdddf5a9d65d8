namespace LicenseHub.Agent.Tests;

public sealed class MachineFingerprintTests
{
    [Fact]
    public void Compute_KnownKeyAndMachineId_MatchesIndependentReference()
    {
        // Reference values computed with Python's hashlib/hmac from the documented recipe.
        var salt = MachineFingerprint.DeriveSalt("lh-7f3k-92ab-q0zz");

        Assert.Equal("1d8aa0ec6c5450a1a73b0dd41d17e86c0b2f2ea8af9cb88bd2712d891c9f849b", Convert.ToHexStringLower(salt));
        Assert.Equal(
            "8a80b3df2d6f5a07be241487c4e7d1d02ce28f4e60411235f34aa263f08e0a99",
            MachineFingerprint.Compute(salt, "4c4c4544003957108052b4c04f384833"));
    }

    [Fact]
    public void DeriveSalt_KeyWithLowerCaseAndWhitespace_SameAsNormalisedKey()
    {
        Assert.Equal(MachineFingerprint.DeriveSalt("LH-7F3K-92AB-Q0ZZ"), MachineFingerprint.DeriveSalt("  lh-7f3k-92ab-q0zz\n"));
    }

    [Fact]
    public void Compute_SameMachineUnderTwoLicenses_GivesUnrelatedFingerprints()
    {
        var a = MachineFingerprint.Compute(MachineFingerprint.DeriveSalt("KEY-A"), "4c4c4544003957108052b4c04f384833");
        var b = MachineFingerprint.Compute(MachineFingerprint.DeriveSalt("KEY-B"), "4c4c4544003957108052b4c04f384833");

        Assert.NotEqual(a, b);
        Assert.NotEqual(a[..12], b[..12]);
    }

    [Fact]
    public void Compute_AnyInput_Is64LowerCaseHexAndDoesNotContainMachineId()
    {
        var fingerprint = MachineFingerprint.Compute(MachineFingerprint.DeriveSalt("KEY"), "ABCDEF0123456789abcdef0123456789");

        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        Assert.DoesNotContain("abcdef0123456789", fingerprint, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Compute_MachineIdWithTrailingNewline_SameAsTrimmed()
    {
        var salt = MachineFingerprint.DeriveSalt("KEY");

        Assert.Equal(MachineFingerprint.Compute(salt, "abc123"), MachineFingerprint.Compute(salt, "abc123\n"));
    }

    [Fact]
    public void DeriveSalt_EmptyKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => MachineFingerprint.DeriveSalt("   "));
    }

    [Fact]
    public void Fingerprint_MissingOverrideFile_ThrowsNamingThePath()
    {
        var source = new MachineIdSource("/nonexistent/lh-agent/machine-id");

        var e = Assert.Throws<MachineIdException>(() => source.Fingerprint(MachineFingerprint.DeriveSalt("KEY")));
        Assert.Contains("/nonexistent/lh-agent/machine-id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_EmptyMachineIdFile_Throws()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "\n");

            Assert.Throws<MachineIdException>(() => new MachineIdSource(path).Fingerprint(MachineFingerprint.DeriveSalt("KEY")));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
