namespace LicenseHub.Domain.Licensing;

/// <summary>The answer of a license check: a failed check is an answer, not an error.</summary>
public enum ValidationCode
{
    /// <summary>The license may be used on this machine.</summary>
    Valid,
    /// <summary>Suspended by the reseller or the vendor.</summary>
    Suspended,
    /// <summary>Revoked for good.</summary>
    Revoked,
    /// <summary>Past its term.</summary>
    Expired,
    /// <summary>No license has the presented key.</summary>
    NotFound,
    /// <summary>The plan's machine limit is reached and this is another machine.</summary>
    TooManyMachines,
    /// <summary>The installation's credential was presented from another machine.</summary>
    FingerprintMismatch,
    /// <summary>The license is for another product than the agent asked for.</summary>
    ProductMismatch,
    /// <summary>The installation was released or forgotten.</summary>
    InstallationReleased,
    /// <summary>
    /// Two machines are running one installation's state (a cloned VM, a copied disk): its check-in tickets
    /// came back out of order. Answered to every copy until the reseller releases or re-activates it.
    /// </summary>
    CloneSuspected,
}
